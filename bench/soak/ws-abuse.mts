// Malformed WebSocket traffic for the soak, on a real lab terminal:
//  - frames that are valid WebSocket but not the protocol (not JSON, wrong
//    fields, binary), 20 per connection, the runner's cut-off;
//  - frames that are not valid WebSocket (unmasked, reserved opcodes, lying
//    lengths, bad UTF-8), one per raw connection: the runner must close it.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

/** A connection the runner neither answers nor closes within this counts as hung. */
const CLOSE_TIMEOUT_MS = 5000;
/** Bad frames per connection: the runner closes a connection at its 20th (MAX_BAD_FRAMES). */
const BAD_FRAMES_PER_CONNECTION = 20;

export interface WsAbuseResult { frames: number; errorsAnswered: number; closes: Record<string, number>; hung: number }

const CONTENT_BAD: Array<string | Buffer> = [
  'not json', '{', 'null', '[]', '"just a string"', '{"type":"launch-missiles"}',
  '{"type":"input"}', '{"type":"input","data":5}', '{"type":"input","data":"x","extra":1}',
  '{"type":"resize","cols":-5,"rows":10}', '{"type":"resize","cols":1e9,"rows":1e9}', '{"type":"resize","cols":80.5,"rows":24}',
  '{"type":"ack","bytes":1e300}', '{"type":"ack","bytes":-1}', '{"type":"ping","id":"x"}',
  '{"__proto__":{"type":"input","data":"x"}}', '{"type":"input","data":"\\ud800"}x', `${'['.repeat(5000)}${']'.repeat(5000)}`,
  Buffer.from([1, 2, 3]), Buffer.alloc(0),
];

/** `connections` connections, `concurrency` at a time, each sending BAD_FRAMES_PER_CONNECTION protocol-invalid frames. */
export async function contentBadFrames(wsUrl: string, connections: number, concurrency: number): Promise<WsAbuseResult> {
  const result: WsAbuseResult = { frames: 0, errorsAnswered: 0, closes: {}, hung: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < connections) {
      const offset = next++;
      const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => { ws.terminate(); resolve('hung'); }, CLOSE_TIMEOUT_MS * 2);
        ws.on('message', (d, isBinary) => { if (!isBinary && d.toString().includes('"bad-frame"')) result.errorsAnswered++; });
        ws.on('open', () => {
          for (let i = 0; i < BAD_FRAMES_PER_CONNECTION; i++) {
            const f = CONTENT_BAD[(offset + i) % CONTENT_BAD.length]!;
            ws.send(f, { binary: typeof f !== 'string' });
            result.frames++;
          }
        });
        ws.on('close', (code) => { clearTimeout(timer); resolve(String(code)); });
        ws.on('error', () => { /* the close event follows */ });
      });
      if (outcome === 'hung') result.hung++;
      result.closes[outcome] = (result.closes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

/** Raw frames that break the WebSocket framing rules (client frames must be masked, and so on). */
function protocolBadFrames(): Buffer[] {
  const mask = Buffer.from([0, 0, 0, 0]); // a zero mask leaves the payload as it is
  const masked = (first: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([first, 0x80 | payload.length]), mask, payload]);
  const len64 = (n: bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64BE(n); return b; };
  return [
    Buffer.from([0x81, 0x05, ...Buffer.from('hello')]), // unmasked client frame
    masked(0x83, Buffer.alloc(0)), // reserved opcode 3
    masked(0xc1, Buffer.from('hello')), // RSV1 without an extension
    Buffer.concat([Buffer.from([0x89, 0x80 | 126, 0, 200]), mask, Buffer.alloc(200)]), // control frame over 125 bytes
    masked(0x09, Buffer.alloc(0)), // fragmented ping
    masked(0x81, Buffer.from([0xc3, 0x28])), // invalid UTF-8 text
    Buffer.concat([Buffer.from([0x82, 0x80 | 127]), len64(1n << 63n), mask]), // 2^63-byte payload
    masked(0x80, Buffer.from('x')), // continuation with nothing to continue
    masked(0x88, Buffer.from([0x03, 0xe7])), // close with code 999
    Buffer.concat([Buffer.from([0x81, 0x80 | 127]), len64(1_000_000n), mask]), // over maxPayload
  ];
}

/** `count` raw connections, each sending one framing-invalid frame after a valid handshake. */
export async function protocolBad(port: number, path: string, count: number, concurrency: number): Promise<WsAbuseResult> {
  const frames = protocolBadFrames();
  const result: WsAbuseResult = { frames: 0, errorsAnswered: 0, closes: {}, hung: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const frame = frames[next++ % frames.length]!;
      const outcome = await rawFrame(port, path, frame);
      result.frames++;
      if (outcome === 'hung') result.hung++;
      result.closes[outcome] = (result.closes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

/** Handshakes on a raw socket, sends one frame, and reports how the runner ended it: its close code, 'closed', or 'hung'. */
function rawFrame(port: number, path: string, frame: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let done = false;
    const finish = (outcome: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('hung'), CLOSE_TIMEOUT_MS);
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
        + `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes(' 101')) return finish(`http-${buf.subarray(9, 12).toString()}`);
        upgraded = true;
        buf = buf.subarray(end + 4);
        socket.write(frame);
      }
      // Skip the runner's frames (hello, screen) up to its close frame, if it sends one.
      for (;;) {
        const f = nextFrame(buf);
        if (!f) break;
        buf = buf.subarray(f.size);
        if (f.opcode === 8) return finish(f.payload.length >= 2 ? String(f.payload.readUInt16BE(0)) : '1005');
      }
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
  });
}

/** One unmasked server frame at the start of `buf`, or null while it is incomplete. */
function nextFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buf.length < 2) return null;
  let len = buf[1]! & 0x7f, header = 2;
  if (len === 126) { if (buf.length < 4) return null; len = buf.readUInt16BE(2); header = 4; }
  else if (len === 127) { if (buf.length < 10) return null; len = Number(buf.readBigUInt64BE(2)); header = 10; }
  if (buf.length < header + len) return null;
  return { opcode: buf[0]! & 0x0f, payload: buf.subarray(header, header + len), size: header + len };
}
