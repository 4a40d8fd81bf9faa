// A learner who wants a grade without the work is root in the lab: they replace
// `timeout`, `bash`, `awk` and friends with scripts that print a success line, put
// a directory of fakes first in PATH, and name a library in /etc/ld.so.preload that
// makes every dynamically linked program exit 0. The checks of syscall-storm must
// still fail while the fault runs: they run with the lab's protected tool set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { ContainerBackend } from '../runner/src/node/backends/container.ts';

const LAB = 'syscall-storm';
/** What each fake prints: the line a passing batched.sh prints. */
const FORGED = 'relayd now writes about 65536 bytes per call (1000 calls in 1 s).';
/** Programs a check (or its interpreter) might use; each becomes a fake that "passes". */
const FAKED = ['timeout', 'bash', 'awk', 'mawk', 'gawk', 'cat', 'sleep', 'grep', 'sed', 'kill', 'head', 'tail', 'tr', 'date', 'ps'];

let runner: TestRunner;
let sessionId: string;
let work: string;

before(async () => {
  runner = await startTestRunner();
  sessionId = (await runner.startLab(LAB)).session.id;
  work = mkdtempSync(join(tmpdir(), 'kdlabs-tamper-'));
});

after(async () => {
  await runner?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

function session() {
  const s = runner.manager.get(sessionId);
  assert.ok(s, 'the session exists');
  return s;
}

/** Every check of the lab, through the API a learner's page uses. */
async function checkVerdicts(): Promise<Array<{ task: string; passed: boolean; message: string }>> {
  const lab = runner.manager.labs.get(LAB)!;
  const verdicts = [];
  for (const t of lab.tasks.filter((x) => x.check)) {
    const r = await runner.call('POST', `/api/sessions/${sessionId}/tasks/${t.id}/check`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    verdicts.push({ task: t.id, passed: r.json.passed as boolean, message: r.json.message as string });
  }
  return verdicts;
}

test('before any tampering the checks see the fault', { timeout: 120_000 }, async () => {
  const verdicts = await checkVerdicts();
  assert.ok(verdicts.length > 0, 'the lab has checks');
  for (const v of verdicts) assert.equal(v.passed, false, `${v.task} fails while relayd storms: ${v.message}`);
});

test('replaced binaries, a PATH of fakes and /etc/ld.so.preload do not pass a check', { timeout: 180_000 }, async () => {
  // The preload library: every dynamically linked program prints the forged line and exits 0.
  const src = join(work, 'forge.c');
  writeFileSync(src, `#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void forge(void) { puts(${JSON.stringify(FORGED)}); fflush(stdout); _exit(0); }\n`);
  execFileSync('cc', ['-shared', '-fPIC', '-o', join(work, 'forge.so'), src]);
  const so = readFileSync(join(work, 'forge.so')).toString('base64');

  // Written with dash (sh), which stays real until the preload line at the very end.
  const tamper = `set -e
mkdir -p /root/fakes
cat > /root/fake <<'FAKE'
#!/bin/sh
echo '${FORGED}'
exit 0
FAKE
for p in ${FAKED.join(' ')}; do
  cp /root/fake /root/fakes/$p; chmod 755 /root/fakes/$p
  for d in /usr/bin /usr/sbin /usr/local/bin; do [ -e $d/$p ] && rm -f $d/$p && cp /root/fakes/$p $d/$p; done
done
for f in /etc/profile /etc/bash.bashrc /root/.bashrc /root/.profile /etc/environment; do
  echo 'export PATH=/root/fakes:$PATH; alias awk=/root/fakes/awk' >> $f
done
echo '${so}' | base64 -d > /usr/lib/forge.so
echo /usr/lib/forge.so > /etc/ld.so.preload
echo tampered`;
  const s = session();
  // As root in the lab, the way the learner's shell runs things.
  const r = await new ContainerBackend(new Docker(), runner.name).exec(s.labHandle!, ['sh', '-s'], { stdin: tamper, timeoutMs: 60_000 });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(r.value.stdout, /tampered/, r.value.stderr);

  // The tampering works on the lab's own tools: the unprotected path is forged.
  const forged = await s.execScript('awk "BEGIN { print 1 }"; echo reached', 20_000);
  assert.ok(forged.ok);
  assert.match(forged.value.stdout, new RegExp(FORGED.replace(/[.()]/g, '\\$&')), 'a dynamic program now prints the forged line');

  for (const v of await checkVerdicts()) {
    assert.equal(v.passed, false, `${v.task} must not pass unfixed: ${v.message}`);
    assert.doesNotMatch(v.message, /65536 bytes per call/, `${v.task} printed the forged line`);
  }
});
