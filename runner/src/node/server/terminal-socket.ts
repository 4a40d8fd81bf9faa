// WebSocket endpoint of a lab's shell: /api/sessions/<id>/terminal?token=<t>.
// Output goes out as binary frames; everything else is one JSON message of the
// shared protocol per text frame, validated before use.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { isSessionId } from '../../common/ids.ts';
import {
  clientMessageSchema, MAX_CLIENT_FRAME_BYTES, WS_CLOSE, type ServerMessage,
} from '../../common/protocol.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import { checkOrigin, requestToken, sameToken, type AccessPolicy } from './security.ts';

const TERMINAL_PATH = /^\/api\/sessions\/([^/]+)\/terminal$/;
/** A client that keeps sending garbage is cut off after this many bad frames. */
const MAX_BAD_FRAMES = 20;

export function createTerminalUpgrade(manager: SessionManager, policy: AccessPolicy, ownerToken: string) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });

  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://runner.invalid');
    const m = TERMINAL_PATH.exec(url.pathname);
    if (!m) return refuse(socket, 404, 'no WebSocket endpoint here');
    const access = checkOrigin(req, policy);
    if (!access.ok) return refuse(socket, 403, access.message);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = m[1];
      const token = requestToken(req, url);
      if (!token) return ws.close(WS_CLOSE.unauthorized, 'missing or malformed token');
      const session = isSessionId(id) ? manager.get(id) : undefined;
      if (!session || !(sameToken(token, session.token) || sameToken(token, ownerToken))) {
        return ws.close(WS_CLOSE.notFound, 'no such session for this token');
      }
      if (session.phase === 'stopped' || session.phase === 'failed') return ws.close(WS_CLOSE.sessionStopped, `session is ${session.phase}`);
      attach(ws, session);
    });
  };

  const attach = (ws: WebSocket, session: NonNullable<ReturnType<SessionManager['get']>>): void => {
    const send = (msg: ServerMessage): void => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg)); };
    const size = session.terminal.termSize;
    send({ type: 'hello', sessionId: session.id, labId: session.lab.id, cols: size.cols, rows: size.rows });
    const viewer = session.terminal.attach({
      sendOutput: (chunk) => { if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true }); },
      sendMessage: (msg) => {
        send(msg);
        if (msg.type === 'error' && msg.code === 'session-gone') ws.close(WS_CLOSE.sessionStopped, msg.message.slice(0, 120));
      },
      bufferedAmount: () => ws.bufferedAmount,
    });
    let badFrames = 0;
    const bad = (message: string): void => {
      send({ type: 'error', code: 'bad-frame', message });
      if (++badFrames >= MAX_BAD_FRAMES) ws.close(1008, 'too many bad frames');
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      session.touch();
      if (isBinary) return bad('binary frames are not accepted from clients; send {"type":"input","data":"..."}');
      let json: unknown;
      try { json = JSON.parse(data.toString()); } catch { return bad('frame is not JSON'); }
      // Keystrokes are most frames and the latency path: a plain input frame skips the schema walk.
      if (isPlainInput(json)) return viewer.input(json.data);
      const parsed = clientMessageSchema.safeParse(json);
      if (!parsed.success) {
        return bad(`frame does not match the protocol: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; ')}`);
      }
      const msg = parsed.data;
      switch (msg.type) {
        case 'input': viewer.input(msg.data); break;
        case 'resize': viewer.resize({ cols: msg.cols, rows: msg.rows }); break;
        case 'ack': viewer.ack(msg.bytes); break;
        case 'ping': send({ type: 'pong', id: msg.id }); break;
      }
    });
    ws.on('close', () => viewer.detach());
    ws.on('error', () => viewer.detach());
  };

  return { handle, close: () => { for (const c of wss.clients) c.terminate(); wss.close(); } };
}

function isPlainInput(v: unknown): v is { type: 'input'; data: string } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o.type === 'input' && typeof o.data === 'string' && Object.keys(o).length === 2;
}

function refuse(socket: Duplex, status: number, message: string): void {
  const reason = status === 403 ? 'Forbidden' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
}
