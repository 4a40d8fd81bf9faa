// A learner who wants a grade without the work is root in the lab: they replace
// `timeout`, `bash`, `awk` and friends with scripts that print a success line, put
// a directory of fakes first in PATH, and name a library in /etc/ld.so.preload that
// makes every dynamically linked program exit 0. The checks of syscall-storm must
// still fail while the fault runs: they run with the lab's protected tool set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { assertTamperingForgesNoCheck, checkVerdicts, sessionOf } from './helpers/tamper.ts';
import { ContainerBackend } from '../runner/src/node/backends/container.ts';

const LAB = 'syscall-storm';
/** What each fake prints: the line a passing batched.sh prints. */
const FORGED = 'relayd now writes about 65536 bytes per call (1000 calls in 1 s).';

let runner: TestRunner;
let sessionId: string;

before(async () => {
  runner = await startTestRunner();
  sessionId = (await runner.startLab(LAB)).session.id;
});

after(async () => {
  await runner?.dispose();
});

test('before any tampering the checks see the fault', { timeout: 120_000 }, async () => {
  const verdicts = await checkVerdicts(runner, sessionId);
  assert.ok(verdicts.length > 0, 'the lab has checks');
  for (const v of verdicts) assert.equal(v.passed, false, `${v.task} fails while relayd storms: ${v.message}`);
});

test('replaced binaries, a PATH of fakes and /etc/ld.so.preload do not pass a check', { timeout: 180_000 }, async () => {
  // As root in the lab, the way the learner's shell runs things.
  const container = new ContainerBackend(new Docker(), runner.name);
  await assertTamperingForgesNoCheck(runner, sessionId, FORGED, (script) => container.exec(sessionOf(runner, sessionId).labHandle!, ['sh', '-s'], { stdin: script, timeoutMs: 60_000 }));
});
