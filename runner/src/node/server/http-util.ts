// Small helpers for JSON over node:http: bounded bodies, typed errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { apiErrorStatus, type ApiError, type ApiErrorCode } from '../../common/errors.ts';
import { LANGS, requestLang, type Lang, type Words } from '../../common/langs.ts';

/** Request bodies are small JSON documents; anything larger is refused unread. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * An error the client is told about: its status always comes from the code (common/errors.ts).
 * Given `Words`, the client reads it in its own language (`message` is the English).
 */
export class HttpError extends Error {
  readonly status: number;
  readonly words: Words | null;
  constructor(readonly code: ApiErrorCode, message: string | Words) {
    super(typeof message === 'string' ? message : message.en);
    this.words = typeof message === 'string' ? null : message;
    this.status = apiErrorStatus(code);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError, lang: Lang = 'en'): void {
  const body: ApiError = { error: { code: err.code, message: err.words?.[lang] ?? err.message } };
  sendJson(res, err.status, body);
}

/** Reads and validates a JSON body against a schema; every problem is named. */
export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.infer<S>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError('unsupported-media-type', `expected Content-Type: application/json, got "${type || '(none)'}"`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError('payload-too-large', `body is ${declared} bytes; the limit is ${MAX_BODY_BYTES}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError('payload-too-large', `body is over the ${MAX_BODY_BYTES}-byte limit`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch (e) {
    throw new HttpError('bad-request', `body is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
    throw new HttpError('bad-request', `invalid request body: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The learner's language: `?lang=`, else the request's Accept-Language (the site's pages
 * send their own), else English. An unknown `?lang=` is refused, naming what is known.
 */
export function langOf(url: URL, req?: IncomingMessage): Lang {
  const l = requestLang(url.searchParams.get('lang'), req?.headers['accept-language']);
  if (typeof l !== 'string') throw new HttpError('bad-request', `lang "${l.unknown.slice(0, 20)}" is not known (expected ${LANGS.join(' or ')})`);
  return l;
}

/** The language to refuse a request in: as langOf, but never failing (an unknown `?lang=` gets English). */
export function errorLangOf(url: URL | null, req: IncomingMessage): Lang {
  const l = requestLang(url?.searchParams.get('lang') ?? null, req.headers['accept-language']);
  return typeof l === 'string' ? l : 'en';
}
