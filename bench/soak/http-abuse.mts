// Malformed HTTP for the soak: requests written byte for byte on raw sockets
// (fetch would refuse to send most of them), bad request targets like
// `GET //[/` first among them. Every request must end in an answer or a closed
// socket; the soak counts answers by status and the ones that hung.
import { connect } from 'node:net';

/** A request that gets neither an answer nor a close within this is counted as hung. */
const ANSWER_TIMEOUT_MS = 5000;

export interface HttpAbuseResult { sent: number; byStatus: Record<string, number>; hung: number; serverErrors: number }

/** The corpus: each entry builds one raw request for a runner at `host` (host:port) with `token`. */
export function malformedRequests(host: string, token: string, sessionId: string): Array<string | Buffer> {
  const auth = `Authorization: Bearer ${token}\r\n`;
  const h = `Host: ${host}\r\n`;
  const ws = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  const json = (body: string, extra = ''): string => `POST /api/sessions HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
  return [
    // Bad request targets.
    `GET //[/ HTTP/1.1\r\n${h}\r\n`,
    `GET //[/ HTTP/1.1\r\n${h}${ws}\r\n`,
    `GET http://[::1 HTTP/1.1\r\n${h}\r\n`,
    `GET http://evil.example/api/health HTTP/1.1\r\n${h}\r\n`,
    `GET * HTTP/1.1\r\n${h}\r\n`,
    `OPTIONS * HTTP/1.1\r\n${h}\r\n`,
    `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`,
    `GET /%zz%00%ff HTTP/1.1\r\n${h}\r\n`,
    `GET /../../../../etc/passwd HTTP/1.1\r\n${h}\r\n`,
    `GET /%2e%2e/%2e%2e/etc/shadow HTTP/1.1\r\n${h}\r\n`,
    `GET /api/sessions/%2e%2e%2f%2e%2e/terminal HTTP/1.1\r\n${h}${ws}\r\n`,
    `GET /api/sessions/${sessionId}/terminal?token=%ZZ HTTP/1.1\r\n${h}${ws}\r\n`,
    `GET /api/sessions/${sessionId}/terminal HTTP/1.1\r\n${h}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    `GET /api/sessions/${sessionId}/terminal HTTP/1.1\r\n${h}${ws.replace('13', '8')}\r\n`,
    `GET /api/labs/${'a'.repeat(8000)} HTTP/1.1\r\n${h}\r\n`,
    `GET /${'x'.repeat(20_000)} HTTP/1.1\r\n${h}\r\n`,
    `GET /api/health?${'a=1&'.repeat(3000)} HTTP/1.1\r\n${h}\r\n`,
    // Not HTTP/1.1 at all.
    Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10]),
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    `GET / HTTP/9.9\r\n${h}\r\n`,
    'GET /\r\n\r\n',
    `G\u0000ET / HTTP/1.1\r\n${h}\r\n`,
    `BREW /api/health HTTP/1.1\r\n${h}\r\n`,
    // Headers.
    `GET /api/health HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
    `GET /api/health HTTP/1.1\r\n${h}${h}\r\n`,
    `GET /api/health HTTP/1.1\r\n${h}Bad Header Without Colon\r\n\r\n`,
    `GET /api/health HTTP/1.1\r\n${h}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    `GET /api/health HTTP/1.1\r\n${h}Content-Length: abc\r\n\r\n`,
    `GET /api/sessions HTTP/1.1\r\n${h}Authorization: Bearer \u00ff\u00fe\u0000\r\n\r\n`,
    `GET /api/sessions HTTP/1.1\r\n${h}Authorization: Basic ${'A'.repeat(5000)}\r\n\r\n`,
    `GET /api/bootstrap HTTP/1.1\r\n${h}Sec-Fetch-Site: cross-site\r\n\r\n`,
    `GET /api/health HTTP/1.1\r\n${h}Origin: https://evil.example\r\n\r\n`,
    `GET /api/metrics HTTP/1.1\r\n${h}\r\n`,
    // Bodies.
    json('{"labId":'),
    json('{"labId": [1,2,3]}'),
    json('{"labId": "../../etc"}'),
    json('{"labId": "syscall-storm", "extra": {"__proto__": {"admin": true}}}'),
    json('['.repeat(7000) + ']'.repeat(7000)),
    json('\u0000\u0001 not json'),
    `POST /api/sessions HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"labId":`,
    `POST /api/sessions HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n`,
    `POST /api/sessions HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    `POST /api/sessions HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n`,
    `POST /api/sessions HTTP/1.1\r\n${h}${auth}Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi`,
    `POST /api/sessions HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100_000)}`,
    `POST /api/sessions/${sessionId}/tasks/%00/answer HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    `POST /api/sessions/${sessionId}/tasks/find-process/answer HTTP/1.1\r\n${h}${auth}Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{"answer": null}`,
    `DELETE /api/sessions/${'%'.repeat(200)} HTTP/1.1\r\n${h}${auth}\r\n`,
    `DELETE /api/sessions/s-aaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n${h}${auth}\r\n`,
    `PUT /api/health HTTP/1.1\r\n${h}Content-Length: 0\r\n\r\n`,
  ];
}

/** Sends `count` requests from the corpus, `concurrency` at a time. */
export async function httpAbuse(port: number, corpus: Array<string | Buffer>, count: number, concurrency: number): Promise<HttpAbuseResult> {
  const result: HttpAbuseResult = { sent: 0, byStatus: {}, hung: 0, serverErrors: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const request = corpus[next++ % corpus.length]!;
      const outcome = await sendRaw(port, request);
      result.sent++;
      if (outcome === 'hung') result.hung++;
      result.byStatus[outcome] = (result.byStatus[outcome] ?? 0) + 1;
      if (/^5\d\d$/.test(outcome)) result.serverErrors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

/** One request on its own connection: the status of the answer, 'closed' (no answer, closed), or 'hung'. */
function sendRaw(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    let done = false;
    const finish = (outcome: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('hung'), ANSWER_TIMEOUT_MS);
    socket.on('connect', () => {
      socket.write(request);
      // Half-close: a request that promised more body than it sent must still end.
      socket.end();
    });
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) finish(m[1]!);
      else if (head.length > 64) finish('not-http');
    });
    socket.on('error', () => finish(head ? 'not-http' : 'closed'));
    socket.on('close', () => finish(head ? 'not-http' : 'closed'));
  });
}
