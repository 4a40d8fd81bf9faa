// The worker thread that keeps every session's screen copy (ScreenMirror), so
// parsing output, reflowing on resize and serialising for a re-attaching
// viewer never stall the runner's event loop. Requests come in order from
// screen-worker-pool.ts; a snapshot is answered once all earlier writes are parsed.
import { parentPort } from 'node:worker_threads';
import { ScreenMirror } from './screen-mirror.ts';

export type ScreenRequest =
  | { op: 'create'; id: number; cols: number; rows: number }
  | { op: 'write'; id: number; data: Uint8Array }
  | { op: 'resize'; id: number; cols: number; rows: number }
  | { op: 'clear'; id: number }
  | { op: 'snapshot'; id: number; req: number }
  | { op: 'dispose'; id: number };

export interface ScreenReply { req: number; screen: string }

const port = parentPort;
if (!port) throw new Error('screen-worker.ts runs in a worker thread (see screen-worker-pool.ts)');
const mirrors = new Map<number, ScreenMirror>();

port.on('message', (m: ScreenRequest) => {
  switch (m.op) {
    case 'create': mirrors.set(m.id, new ScreenMirror({ cols: m.cols, rows: m.rows })); break;
    case 'write': mirrors.get(m.id)?.write(m.data); break;
    case 'resize': mirrors.get(m.id)?.resize({ cols: m.cols, rows: m.rows }); break;
    case 'clear': mirrors.get(m.id)?.clear(); break;
    case 'snapshot': {
      const mirror = mirrors.get(m.id);
      const reply = (screen: string): void => port.postMessage({ req: m.req, screen } satisfies ScreenReply);
      if (mirror) mirror.snapshot(reply); else reply('');
      break;
    }
    case 'dispose': mirrors.get(m.id)?.dispose(); mirrors.delete(m.id); break;
  }
});
