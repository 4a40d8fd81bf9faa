// test-budget: 20m
// The VM side of check-tamper.test.ts: a learner is root in the lab VM too. After
// they replace the guest's `timeout`, `bash`, `awk`, `dmesg` and friends, shadow
// them in PATH and install /etc/ld.so.preload, every check of hung-task still
// fails while the fault is unfixed, because checks run with the tool set on the
// read-only lab files disk (static bash and busybox), through the guest agent.
// And a bind mount of the fakes over that tool set makes the runner refuse to run
// the checks at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, symlinkSync } from 'node:fs';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { QEMU_SKIP } from './helpers/qemu.ts';
import { assertTamperingForgesNoCheck, checkVerdicts, sessionOf } from './helpers/tamper.ts';
import { statesDir } from '../runner/src/node/backends/qemu/saved-state.ts';
import { DEFAULT_DATA_DIR } from '../runner/src/node/util/paths.ts';

const LAB = 'hung-task';
/** What each fake prints: the line a passing no-hung.sh prints. */
const FORGED = 'no task stuck in commitq, no hung-task report since the fixed module was loaded';
/** A restore takes seconds; without a saved state the runner boots and saves one first (minutes on TCG). */
const START_TIMEOUT_MS = 900_000;

let runner: TestRunner;
let sessionId: string;

before(async () => {
  if (QEMU_SKIP) return;
  runner = await startTestRunner();
  // `labs build --all` saved this lab's state there; sharing it makes the start a restore.
  const shared = statesDir(DEFAULT_DATA_DIR);
  if (existsSync(shared)) symlinkSync(shared, statesDir(runner.dataDir));
  sessionId = (await runner.startLab(LAB)).session.id;
}, { timeout: START_TIMEOUT_MS });

after(async () => {
  await runner?.dispose();
});

test('before any tampering the checks see the unfixed lab', { skip: QEMU_SKIP, timeout: 300_000 }, async () => {
  const verdicts = await checkVerdicts(runner, sessionId);
  assert.ok(verdicts.length >= 3, 'the lab has checks');
  for (const v of verdicts) assert.equal(v.passed, false, `${v.task} fails before the fix: ${v.message}`);
});

test('replaced guest binaries, a PATH of fakes and /etc/ld.so.preload do not pass a check', { skip: QEMU_SKIP, timeout: 300_000 }, async () => {
  // As root in the guest, with the guest's own shell (still real until the script ends).
  await assertTamperingForgesNoCheck(runner, sessionId, FORGED, (script) => sessionOf(runner, sessionId).execScript(script, 120_000));
});

test('a bind mount over the tool set is seen: the checks refuse to run', { skip: QEMU_SKIP, timeout: 300_000 }, async () => {
  const s = sessionOf(runner, sessionId);
  // The guest's own programs are all forged by now; the tool set's busybox still mounts.
  const r = await s.execScript('mount --bind /root/fakes /opt/lab/.kdlabs-check/bin && echo bound', 60_000, {}, true);
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(r.value.stdout, /bound/, r.value.stderr);
  for (const v of await checkVerdicts(runner, sessionId)) {
    assert.equal(v.passed, false, `${v.task} must not pass: ${v.message}`);
    assert.match(v.message, /did not run: .*mounted at \/opt\/lab\/\.kdlabs-check\/bin/, `${v.task} names the covering mount`);
  }
});
