// One worker thread of the answer race test (answer-limits.test.ts): its own
// connection to the shared database file, released at the same moment as the
// others, answering one limited question wrongly until it is refused. The
// runner's TypeScript runs through tsx, whose loader a worker does not inherit.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { openProgressDb } = await import('./database.ts');
const { ProgressStore } = await import('./progress-store.ts');

const { file, gate, tries, attempts, name } = workerData;
const db = openProgressDb(file);
const store = new ProgressStore(db);
const go = new Int32Array(gate);
parentPort.postMessage({ ready: true });
// Everyone waits here until the test flips the gate: the answers start together.
Atomics.wait(go, 0, 0);
let counted = 0;
for (let i = 0; i < tries; i++) {
  const outcome = store.recordAnswer({ at: Date.now(), learnerId: 'local', workshopId: null, sessionId: null, labId: 'lab-a', taskId: 'q', passed: false, detail: `${name}-${i}` }, attempts);
  if (outcome.recorded) counted++;
}
db.close();
parentPort.postMessage({ counted });
