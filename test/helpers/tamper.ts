// What a learner who wants a grade without the work does as root in a lab: replace
// `timeout`, `bash`, `awk` and friends with scripts that print a passing line, put a
// folder of fakes first in PATH in every profile, alias awk, and name a library in
// /etc/ld.so.preload that makes every dynamically linked program print the line and
// exit 0. Shared by the container (check-tamper) and VM (vm-check-tamper) tests,
// with the verdicts of every check of a session.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendError, ExecResult, Result } from '../../runner/src/node/backends/lab-backend.ts';
import type { TestRunner } from './runner-fixture.ts';

/** Programs a check (or its interpreter) might use; each becomes a fake that "passes". */
const FAKED = ['timeout', 'bash', 'awk', 'mawk', 'gawk', 'cat', 'sleep', 'grep', 'sed', 'kill', 'head', 'tail', 'tr', 'date', 'ps', 'dmesg', 'lsmod', 'modinfo'];

/** The preload library, compiled on the host (the labs are x86_64 Debian 12 like it), as base64. */
function forgingLibrary(forged: string): string {
  const work = mkdtempSync(join(tmpdir(), 'kdlabs-tamper-'));
  try {
    const src = join(work, 'forge.c');
    writeFileSync(src, `#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void forge(void) { puts(${JSON.stringify(forged)}); fflush(stdout); _exit(0); }\n`);
    execFileSync('cc', ['-shared', '-fPIC', '-o', join(work, 'forge.so'), src]);
    return readFileSync(join(work, 'forge.so')).toString('base64');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A `sh` script (dash stays real until the preload line at its very end) that does all
 * of the above and prints "tampered".
 */
function tamperScript(forged: string): string {
  return `set -e
mkdir -p /root/fakes
cat > /root/fake <<'FAKE'
#!/bin/sh
echo '${forged}'
exit 0
FAKE
for p in ${FAKED.join(' ')}; do
  cp /root/fake /root/fakes/$p; chmod 755 /root/fakes/$p
  for d in /usr/bin /usr/sbin /usr/local/bin /usr/local/sbin; do [ -e $d/$p ] && rm -f $d/$p && cp /root/fakes/$p $d/$p; done
done
for f in /etc/profile /etc/bash.bashrc /root/.bashrc /root/.profile /etc/environment; do
  echo 'export PATH=/root/fakes:$PATH; alias awk=/root/fakes/awk' >> $f
done
echo '${forgingLibrary(forged)}' | base64 -d > /usr/lib/forge.so
echo /usr/lib/forge.so > /etc/ld.so.preload
echo tampered`;
}

/** Matches the forged line in a program's output. */
export function forgedPattern(forged: string): RegExp {
  return new RegExp(forged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

export interface Verdict { task: string; passed: boolean; message: string }

export function sessionOf(runner: TestRunner, sessionId: string): NonNullable<ReturnType<TestRunner['manager']['get']>> {
  const s = runner.manager.get(sessionId);
  assert.ok(s, 'the session exists');
  return s;
}

/** Every check of the session's lab, through the API a learner's page uses. */
export async function checkVerdicts(runner: TestRunner, sessionId: string): Promise<Verdict[]> {
  const s = sessionOf(runner, sessionId);
  const verdicts: Verdict[] = [];
  for (const t of s.lab.tasks.filter((x) => x.check)) {
    const r = await runner.call('POST', `/api/sessions/${sessionId}/tasks/${t.id}/check`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    verdicts.push({ task: t.id, passed: r.json.passed as boolean, message: r.json.message as string });
  }
  return verdicts;
}

/**
 * Tampers with the lab as root (`asRoot` runs a `sh` script), shows the tampering
 * forges the lab's own tools (a plain script run by the session prints the forged
 * line), then asserts that no check of the session passes or prints that line.
 */
export async function assertTamperingForgesNoCheck(
  runner: TestRunner, sessionId: string, forged: string, asRoot: (script: string) => Promise<Result<ExecResult, BackendError>>,
): Promise<void> {
  const r = await asRoot(tamperScript(forged));
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(r.value.stdout, /tampered/, r.value.stderr);

  const s = sessionOf(runner, sessionId);
  const plain = await s.execScript('awk "BEGIN { print 1 }"; echo reached', 30_000);
  assert.ok(plain.ok);
  assert.match(plain.value.stdout, forgedPattern(forged), "the lab's own tools now print the forged line");

  for (const v of await checkVerdicts(runner, sessionId)) {
    assert.equal(v.passed, false, `${v.task} must not pass unfixed: ${v.message}`);
    assert.doesNotMatch(v.message, forgedPattern(forged), `${v.task} printed the forged line`);
  }
}
