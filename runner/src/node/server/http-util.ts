// Small helpers for JSON over node:http: bounded bodies, typed errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { apiErrorStatus, type ApiError, type ApiErrorCode } from '../../common/errors.ts';
import { isLang, LANGS, type Lang } from '../../common/langs.ts';

/** Request bodies are small JSON documents; anything larger is refused unread. */
export const MAX_BODY_BYTES = 16 * 1024;

/** An error the client is told about: its status always comes from the code (common/errors.ts). */
export class HttpError extends Error {
  readonly status: number;
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
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

export function sendError(res: ServerResponse, err: HttpError): void {
  const body: ApiError = { error: { code: err.code, message: err.message } };
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

/** The learner's language from `?lang=` (en when absent); anything else is refused, naming what is known. */
export function langOf(url: URL): Lang {
  const l = url.searchParams.get('lang') ?? 'en';
  if (!isLang(l)) throw new HttpError('bad-request', `lang "${l.slice(0, 20)}" is not known (expected ${LANGS.join(' or ')})`);
  return l;
}
