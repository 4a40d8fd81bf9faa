// runBpftrace's deadlines with a fake bpftrace (a shell script): no root, no kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBpftrace } from './run.ts';

function fakeBpftrace(script: string): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ktrace-fake-'));
  const path = join(dir, 'bpftrace');
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a bpftrace that never attaches is stopped after the grace, with progress meanwhile', async () => {
  const fake = fakeBpftrace('exec sleep 30');
  try {
    const waited: number[] = [];
    const r = await runBpftrace({ bpftrace: fake.path, program: '', durationSeconds: 60, graceSeconds: 0.6, progressEverySeconds: 0.15, onWaiting: (s) => waited.push(s) });
    assert.equal(r.timedOut, true);
    assert.equal(r.output.attachedProbes, null);
    assert.ok(waited.length >= 2, `progress calls: ${waited.join(',')}`);
    assert.deepEqual(waited, [...waited].sort((a, b) => a - b));
  } finally {
    fake.done();
  }
});

test('once attached, progress stops and the window is not cut by the startup grace', async () => {
  // Attaches at once, then takes longer than the grace (but less than window + grace) to finish.
  const fake = fakeBpftrace(`echo '{"type": "attached_probes", "data": {"probes": 3}}'; sleep 0.8; echo '{"type": "map", "data": {"@n": 1}}'`);
  try {
    const waited: number[] = [];
    const r = await runBpftrace({ bpftrace: fake.path, program: '', durationSeconds: 0.5, graceSeconds: 0.5, progressEverySeconds: 0.1, onWaiting: (s) => waited.push(s) });
    assert.equal(r.timedOut, false);
    assert.equal(r.output.attachedProbes, 3);
    assert.equal(r.output.maps.get('@n'), 1);
    assert.deepEqual(waited, []);
  } finally {
    fake.done();
  }
});
