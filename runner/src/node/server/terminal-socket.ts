// WebSocket endpoint of a lab's shell: /api/sessions/<id>/terminal?token=<t>&lang=<l>
// (`lang`: the language the runner's notices come in; the page sends its own).
// Output goes out as binary frames; everything else is one JSON message of the
// shared protocol per text frame, validated before use. Each viewer is pinged
// (a dead one is dropped), and one the hub stops reading (input backpressure)
// has its socket paused, so TCP pushes back on it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { isSessionId } from '../../common/ids.ts';
import {
  clientMessageSchema, MAX_CLIENT_FRAME_BYTES, WS_CLOSE, type ServerMessage,
} from '../../common/protocol.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import { checkOrigin, requestToken, sameToken, type AccessPolicy } from './security.ts';
import { Heartbeat } from './terminal-heartbeat.ts';
import { errorLangOf } from './http-util.ts';
import type { Lang } from '../../common/langs.ts';

const TERMINAL_PATH = /^\/api\/sessions\/([^/]+)\/terminal$/;
/** A client that keeps sending garbage is cut off after this many bad frames. */
const MAX_BAD_FRAMES = 20;
/** RFC 6455: a close frame's payload is at most 125 bytes, two of them the code. */
const MAX_CLOSE_REASON_BYTES = 123;
/** Phases whose terminal is going or gone: a new viewer is refused rather than attached to nothing. */
const CLOSED_PHASES: ReadonlySet<string> = new Set(['stopping', 'stopped', 'failed']);

type Session = NonNullable<ReturnType<SessionManager['get']>>;

export interface TerminalUpgradeOptions {
  /** How often viewers are pinged (tests shorten it). */
  pingIntervalMs?: number;
}

export function createTerminalUpgrade(manager: SessionManager, policy: AccessPolicy, ownerToken: string, opts: TerminalUpgradeOptions = {}) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  const heartbeat = new Heartbeat(opts.pingIntervalMs);
  /**
   * Messages as text frames, encoded once per message object: a screen (up to megabytes)
   * shared by viewers attaching together, or a broadcast, is serialised once, not per viewer.
   */
  const encoded = new WeakMap<ServerMessage, Buffer>();
  const encode = (msg: ServerMessage): Buffer => {
    let frame = encoded.get(msg);
    if (!frame) { frame = Buffer.from(JSON.stringify(msg)); encoded.set(msg, frame); }
    return frame;
  };

  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://runner.invalid'); } catch { return refuse(socket, 400, 'bad request target'); }
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
      if (CLOSED_PHASES.has(session.phase)) return ws.close(WS_CLOSE.sessionStopped, `session is ${session.phase}`);
      attach(ws, session, errorLangOf(url, req));
    });
  };

  const attach = (ws: WebSocket, session: Session, lang: Lang): void => {
    const send = (msg: ServerMessage): void => { if (ws.readyState === ws.OPEN) ws.send(encode(msg), { binary: false }); };
    const attached = session.terminal.attach({
      lang,
      sendOutput: (chunk) => { if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true }); },
      sendMessage: (msg) => {
        send(msg);
        if (msg.type === 'error' && msg.code === 'session-gone') {
          // A viewer we stopped reading must be read again, or its answer to our close frame never arrives.
          ws.resume();
          ws.close(WS_CLOSE.sessionStopped, closeReason(msg.message));
        }
      },
      bufferedAmount: () => ws.bufferedAmount,
      pauseInput: () => ws.pause(),
      resumeInput: () => ws.resume(),
    });
    if (!attached.ok) {
      const code = attached.error.code === 'too-many-viewers' ? WS_CLOSE.tooManyViewers : WS_CLOSE.sessionStopped;
      return ws.close(code, closeReason(attached.error.message));
    }
    const viewer = attached.value;
    // The greeting goes before anything the hub sends (it sends nothing inside attach).
    const size = session.terminal.termSize;
    send({ type: 'hello', sessionId: session.id, labId: session.lab.id, cols: size.cols, rows: size.rows });
    const beat = heartbeat.track({ ping: () => ws.ping(), terminate: () => ws.terminate(), get isPaused() { return ws.isPaused; } });
    ws.on('pong', () => beat.alive());

    let badFrames = 0;
    const bad = (message: string): void => {
      send({ type: 'error', code: 'bad-frame', message });
      if (++badFrames >= MAX_BAD_FRAMES) ws.close(1008, 'too many bad frames');
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      beat.alive();
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
        case 'focus': viewer.focus(); break;
      }
    });
    const gone = (): void => { beat.untrack(); viewer.detach(); };
    ws.on('close', gone);
    ws.on('error', gone);
  };

  return {
    handle,
    /** Viewers connected now (metrics). */
    get viewerCount(): number { return wss.clients.size; },
    close: () => { heartbeat.close(); for (const c of wss.clients) c.terminate(); wss.close(); },
  };
}

function isPlainInput(v: unknown): v is { type: 'input'; data: string } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o.type === 'input' && typeof o.data === 'string' && Object.keys(o).length === 2;
}

/** A close frame's reason holds at most 123 bytes of UTF-8: cut on a character, never inside one (Korean takes 3 bytes each). */
export function closeReason(text: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
  }
  return out;
}

function refuse(socket: Duplex, status: 400 | 403 | 404, message: string): void {
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
}
