// Server-Sent Events: a one-way stream of named JSON events over plain HTTP,
// which a browser reads with EventSource (it reconnects by itself).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A comment line this often keeps proxies and idle-connection timers from closing the stream. */
export const SSE_HEARTBEAT_MS = 15_000;

export interface EventStream {
  send(event: string, data: unknown): void;
  readonly closed: Promise<void>;
  close(): void;
}

export function openEventStream(req: IncomingMessage, res: ServerResponse): EventStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  res.write(': stream open\n\n');
  let open = true;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => { resolveClosed = r; });
  const heartbeat = setInterval(() => { if (open) res.write(': ping\n\n'); }, SSE_HEARTBEAT_MS);
  heartbeat.unref();
  const end = (): void => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    resolveClosed();
  };
  req.on('close', end);
  res.on('close', end);
  return {
    send: (event, data) => {
      if (!open) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed,
    close: () => { if (open) { end(); res.end(); } },
  };
}
