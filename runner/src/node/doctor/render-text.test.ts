import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DoctorReport } from '../../common/doctor.ts';
import { renderDoctorText, wrap } from './render-text.ts';

test('wrap: words to width, long words cut', () => {
  assert.deepEqual(wrap('one two three', 7), ['one two', 'three']);
  assert.deepEqual(wrap('/sys/kernel/tracing', 8), ['/sys/ker', 'nel/trac', 'ing']);
  assert.deepEqual(wrap('a\nb', 10), ['a', 'b']);
});

const report: DoctorReport = {
  version: 1, generatedAt: '2026-01-01T00:00:00Z', host: { kernel: '6.18', arch: 'x64', os: 'Debian', cpus: 2 },
  accel: { accel: 'tcg', reason: '/dev/kvm missing', probed: false },
  capabilities: [
    { id: 'docker', title: 'Docker Engine', status: 'missing', detail: 'does not answer', why: 'not running', fix: 'dockerd &', needed: true,
      affects: { labs: [{ labId: 'storm', title: 'Storm', impact: 'cannot-start', via: 'backend: container' }], tools: [], hints: [], other: [] }, facts: {}, ms: 1 },
    { id: 'kprobes', title: 'kprobes', status: 'ok', detail: 'a kprobe was created', why: null, fix: null, needed: false,
      affects: { labs: [], tools: ['bpftrace kprobe:'], hints: [], other: [] }, facts: {}, ms: 1 },
  ],
  blocking: ['docker'], ok: false,
};

test('the table: a header, one row per capability with status, fix and affects, and the verdict', () => {
  const text = renderDoctorText(report, 100);
  const lines = text.split('\n');
  assert.ok(lines.every((l) => l.length <= 100), 'no line is wider than the terminal');
  assert.match(text, /CAPABILITY\s+STATUS\s+DETAIL\s+FIX\s+AFFECTS/);
  assert.match(text, /Docker Engine\s+✘ missing\s+does not answer\s+dockerd &\s+labs: storm/);
  assert.match(text, /why: not running/);
  assert.match(text, /kprobes\s+✔ ok/);
  assert.match(text, /no lab needs it/);
  assert.match(text, /VM labs: TCG — \/dev\/kvm missing/);
  assert.match(lines.filter(Boolean).at(-1)!, /docker is missing/);
});
