// Every byte a client sends ends in an answer or a closed socket, never in a
// crash of the runner (and every learner's lab with it): the request target is
// checked before it is parsed, a route's failure becomes a JSON error, and
// requests Node cannot parse get a JSON error too. Every answer carries the
// security headers (security-headers.ts).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { apiErrorStatus, type ApiError, type ApiErrorCode } from '../../common/errors.ts';
import { fireAndForget, onUnexpectedError } from '../util/unexpected-error.ts';
import { errorLangOf, HttpError, sendError } from './http-util.ts';
import { parseRequestTarget } from './request-target.ts';
import { securityHeaderLines, setSecurityHeaders } from './security-headers.ts';

export interface HttpHandlers {
  /** Answers one request whose target is a valid path; throws HttpError to refuse it. */
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Takes over an upgrade request whose target is a valid path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The request's Host when it names this runner (it goes into the policy's connect-src), else null. */
  selfHost(req: IncomingMessage): string | null;
  log(line: string): void;
}

export function serveHttp(server: Server, h: HttpHandlers): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    fireAndForget(answer(req, res, h), `answering ${req.method} ${req.url?.slice(0, 80)}`);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-refusal must not raise an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    const target = parseRequestTarget(req.url);
    if (!target.ok) return refuseRaw(socket, 'bad-request', target.message);
    try {
      h.upgrade(req, socket, head);
    } catch (e) {
      onUnexpectedError(e, `the WebSocket upgrade of ${target.url.pathname}`);
      refuseRaw(socket, 'internal', 'internal error while opening the WebSocket');
    }
  });

  // CONNECT names a host, not a path: nothing here tunnels.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    refuseRaw(socket, 'bad-request', `${req.method} ${JSON.stringify(req.url ?? '')} is not served: the runner answers paths starting with a single "/"`);
  });

  // Requests Node's parser refused (a malformed request line, headers over the limit).
  server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable || responseInFlight(socket)) return void socket.destroy();
    if (err.code === 'HPE_HEADER_OVERFLOW') return refuseRaw(socket, 'headers-too-large', 'the request headers are larger than the runner accepts (16 KiB); send fewer or shorter headers');
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return refuseRaw(socket, 'request-timeout', 'the request did not arrive in time; send the whole request at once');
    if (err.code === 'HPE_INVALID_URL') {
      const target = err.rawPacket?.toString('latin1').split('\r\n', 1)[0]?.split(' ')[1];
      const verdict = parseRequestTarget(target);
      return refuseRaw(socket, 'bad-request', verdict.ok ? `the request target is not valid: expected a path starting with a single "/" (like /api/health)` : verdict.message);
    }
    refuseRaw(socket, 'bad-request', `the request is not valid HTTP/1.1 (${err.code ?? err.message}): expected "METHOD /path HTTP/1.1" and headers`);
  });
}

/** The request path: its own errors become the JSON error the client sees; nothing escapes. */
async function answer(req: IncomingMessage, res: ServerResponse, h: HttpHandlers): Promise<void> {
  const target = parseRequestTarget(req.url);
  const where = target.ok ? target.url.pathname : '(bad target)';
  try {
    setSecurityHeaders(res, h.selfHost(req));
    if (!target.ok) throw new HttpError('bad-request', target.message);
    await h.route(req, res, target.url);
  } catch (e) {
    const err = e instanceof HttpError ? e : new HttpError('internal', `internal error: ${(e as Error)?.message ?? String(e)}`);
    if (err.code === 'internal') h.log(`error on ${req.method} ${where}: ${(e as Error)?.stack ?? String(e)}`);
    try {
      if (!res.headersSent) sendError(res, err, errorLangOf(target.ok ? target.url : null, req)); else res.destroy();
    } catch (sendFailure) {
      onUnexpectedError(sendFailure, `answering ${req.method} ${where}`);
      res.destroy();
    }
  }
}

/** An HTTP error written straight to a socket that has no ServerResponse (upgrades, parse errors), then closed. */
function refuseRaw(socket: Duplex, code: ApiErrorCode, message: string): void {
  const body: ApiError = { error: { code, message } };
  const text = JSON.stringify(body);
  const status = apiErrorStatus(code);
  socket.end(
    `HTTP/1.1 ${status} ${REASON[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\n${securityHeaderLines()}`
    + `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}

const REASON: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error' };

/** Node's own clientError handler does not write over a response already being sent on this connection; nor does this. */
function responseInFlight(socket: Duplex): boolean {
  return (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
}
