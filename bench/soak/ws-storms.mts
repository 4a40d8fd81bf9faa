// Valid but abusive terminal traffic for the soak: resize storms, input floods
// into a shell that does not read, attach storms, and viewers that go silent.
// Each is what one careless (or hostile) client can do with correct frames.
import WebSocket from 'ws';
import { TerminalClient } from '../../runner/src/node/cli/terminal-client.ts';
import { MAX_CLIENT_FRAME_BYTES, WS_CLOSE } from '../../runner/src/common/protocol.ts';

/** How long an attaching viewer may wait for its screen (or refusal) before it counts as stalled. */
const ATTACH_TIMEOUT_MS = 30_000;

export interface Terminal { url: string; sessionId: string; token: string }

const wsUrl = (t: Terminal): string => `${t.url.replace(/^http/, 'ws')}/api/sessions/${t.sessionId}/terminal?token=${encodeURIComponent(t.token)}`;

/** `count` resize frames alternating 2×1 and 1000×500, sent as fast as the socket takes them; ends on `last`. */
export function resizeStorm(client: TerminalClient, count: number): { cols: number; rows: number } {
  let last = { cols: 0, rows: 0 };
  for (let i = 0; i < count; i++) {
    last = i % 2 === 0 ? { cols: 2, rows: 1 } : { cols: 1000, rows: 500 };
    client.send({ type: 'resize', ...last });
  }
  return last;
}

/** Input per flood frame: near the largest frame (MAX_CLIENT_FRAME_BYTES) once each newline is escaped in JSON. */
export const FLOOD_FRAME_CHARS = Math.floor(MAX_CLIENT_FRAME_BYTES * 0.9);

/**
 * `frames` input frames of FLOOD_FRAME_CHARS characters, sent without regard to
 * `input-paused` (a client that ignores it); after `settleMs`, what the client saw
 * and how much the runner left unread in the client's socket.
 */
export async function inputFlood(client: TerminalClient, frames: number, settleMs: number): Promise<{ sentBytes: number; pausedSeen: boolean; unsentBytes: number }> {
  let pausedSeen = false;
  const off = client.onMessage((m) => { if (m.type === 'input-paused') pausedSeen = true; });
  // Short lines: a canonical-mode TTY drops the rest of a line longer than its 4 KiB buffer,
  // but complete lines it keeps, and then stops taking input: what a real paste does.
  const line = `${'x'.repeat(79)}\n`.repeat(Math.floor(FLOOD_FRAME_CHARS / 80));
  for (let i = 0; i < frames; i++) {
    client.send({ type: 'input', data: line });
    if (i % 64 === 63) await new Promise((r) => setImmediate(r)); // let the probe and the socket run
  }
  await new Promise((r) => setTimeout(r, settleMs));
  off();
  return { sentBytes: frames * line.length, pausedSeen, unsentBytes: client.ws.bufferedAmount };
}

export interface AttachStormResult { attached: number; refusedTooMany: number; otherCloses: Record<string, number>; stalled: number; screenBytes: number }

/** `count` viewers attaching at once; each waits for its screen or its refusal, then all close. */
export async function attachStorm(t: Terminal, count: number): Promise<AttachStormResult> {
  const result: AttachStormResult = { attached: 0, refusedTooMany: 0, otherCloses: {}, stalled: 0, screenBytes: 0 };
  const sockets: WebSocket[] = [];
  await Promise.all(Array.from({ length: count }, () => new Promise<void>((resolve) => {
    const ws = new WebSocket(wsUrl(t), { perMessageDeflate: false });
    sockets.push(ws);
    const timer = setTimeout(() => { result.stalled++; resolve(); }, ATTACH_TIMEOUT_MS);
    const done = (): void => { clearTimeout(timer); resolve(); };
    ws.on('message', (d, isBinary) => {
      if (isBinary) return;
      const text = d.toString();
      if (text.startsWith('{"type":"screen"')) { result.attached++; result.screenBytes = Math.max(result.screenBytes, text.length); done(); }
    });
    ws.on('close', (code) => {
      if (code === WS_CLOSE.tooManyViewers) result.refusedTooMany++;
      else result.otherCloses[String(code)] = (result.otherCloses[String(code)] ?? 0) + 1;
      done();
    });
    ws.on('error', () => { /* the close event follows */ });
  })));
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close(1000);
    setTimeout(() => { ws.terminate(); resolve(); }, 5000);
  })));
  return result;
}

/** Viewers that attach and then never read again (a laptop lid closed): no pong ever comes back. */
export async function silentViewers(t: Terminal, count: number): Promise<{ close(): void }> {
  const sockets = await Promise.all(Array.from({ length: count }, async () => {
    const ws = new WebSocket(wsUrl(t), { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    return ws;
  }));
  return { close: () => { for (const ws of sockets) ws.terminate(); } };
}
