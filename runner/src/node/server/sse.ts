// Server-Sent Events: a one-way stream of named JSON events over plain HTTP,
// which a browser reads with EventSource (it reconnects by itself).
//
// A client that stops reading (a laptop lid closed, a stuck proxy) must not make
// the runner buffer without end: while the socket is behind, each event name
// keeps only its latest data (every event this runner sends is a full snapshot),
// written once the socket drains; a client behind for too long, or by too much,
// is dropped, and its EventSource reconnects and starts from a fresh snapshot.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A comment line this often keeps proxies and idle-connection timers from closing the stream. */
export const SSE_HEARTBEAT_MS = 15_000;
/** Heartbeats in a row a client may stay behind before it is dropped: two, so a slow moment is forgiven. */
export const SSE_MAX_STALLED_HEARTBEATS = 2;
/** Bytes a stream may have queued at once: a few rosters of a full 200-seat workshop. */
export const SSE_MAX_BUFFERED_BYTES = 1024 * 1024;

export interface EventStream {
  send(event: string, data: unknown): void;
  readonly closed: Promise<void>;
  close(): void;
}

/** The parts of a response the stream uses (a fake in unit tests). */
export type SseResponse = Pick<ServerResponse, 'writeHead' | 'write' | 'end' | 'destroy' | 'on' | 'once' | 'writableNeedDrain' | 'writableLength'>;

export function openEventStream(req: Pick<IncomingMessage, 'on'>, res: SseResponse): EventStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  let open = true;
  let stalledBeats = 0;
  /** Latest data per event name, held while the socket is behind. */
  const held = new Map<string, string>();
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => { resolveClosed = r; });

  const end = (): void => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    held.clear();
    resolveClosed();
  };
  const drop = (): void => { end(); res.destroy(); };
  const write = (text: string): void => {
    res.write(text);
    if (res.writableLength > SSE_MAX_BUFFERED_BYTES) drop();
  };
  const flushHeld = (): void => {
    if (!open) return;
    stalledBeats = 0;
    const pending = [...held.values()];
    held.clear();
    for (const text of pending) {
      if (!open) return;
      write(text);
    }
  };

  const heartbeat = setInterval(() => {
    if (!open) return;
    if (res.writableNeedDrain) {
      if (++stalledBeats >= SSE_MAX_STALLED_HEARTBEATS) drop();
      return;
    }
    stalledBeats = 0;
    write(': ping\n\n');
  }, SSE_HEARTBEAT_MS);
  heartbeat.unref();

  req.on('close', end);
  res.on('close', end);
  res.on('drain', flushHeld);
  write(': stream open\n\n');

  return {
    send: (event, data) => {
      if (!open) return;
      const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      if (res.writableNeedDrain) held.set(event, text);
      else write(text);
    },
    closed,
    close: () => { if (open) { end(); res.end(); } },
  };
}
