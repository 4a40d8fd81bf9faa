import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LatencyTimeline, parsePointLines, parseTimelineOutput, TIMELINE_CACHE_MS, TIMELINE_REREAD_MS } from './timeline.ts';
import { hostExec } from './host-exec.test-support.ts';
import type { LabExec } from './lab-exec.ts';

const T0 = 1764650000000;

function logFile(lines: string[]): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-timeline-'));
  const file = join(dir, 'latency.log');
  writeFileSync(file, lines.join('\n') + '\n');
  return { dir, file };
}

test('the script aggregates the log per second: n, lower median, max, errors', async () => {
  const { dir, file } = logFile([
    `${T0 + 10} 12.0 200`, `${T0 + 500} 3.5 200`, `${T0 + 900} 900.0 ERR`, `${T0 + 950} 7 200`,
    `${T0 + 1000} 1500.26 200`,
    'garbage line', `${T0 + 1200} abc 200`, `12 5 200`,
    `${T0 + 3100} 4.0`,
  ]);
  try {
    const decl = { title: 'Latency', log: file, ok: '200', slowAbove: 500 };
    const r = await new LatencyTimeline().get('s-1', hostExec(dir), decl, 0);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.deepEqual(r.value, {
      title: 'Latency', unit: 'ms', slowAbove: 500,
      points: [
        { t: T0, n: 4, p50: 7, max: 900, errors: 1 },
        { t: T0 + 1000, n: 1, p50: 1500.3, max: 1500.3, errors: 0 },
        // No status: counted as a success.
        { t: T0 + 3000, n: 1, p50: 4, max: 4, errors: 0 },
      ],
    });
    const later = await new LatencyTimeline().get('s-1', hostExec(dir), decl, T0 + 1000);
    assert.ok(later.ok);
    assert.deepEqual(later.value.points.map((p) => p.t), [T0 + 1000, T0 + 3000]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no log yet is an empty plot', async () => {
  const r = await new LatencyTimeline().get('s-1', hostExec('/nonexistent'), { title: 'L', log: '/nonexistent/latency.log' }, 0);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { title: 'L', unit: 'ms', slowAbove: null, points: [] });
});

test('answers are parsed defensively', () => {
  assert.deepEqual(parseTimelineOutput('missing\n'), { kind: 'missing' });
  assert.equal(parseTimelineOutput('ok\n!!!\n').kind, 'garbled');
  assert.equal(parseTimelineOutput('tail: cannot open\n').kind, 'garbled');
  const body = gzipSync('1764650000 3 5.0 9.0 0\n1764650001 0 1 1 0\nbad\n1764650002 x 1 1 0\n').toString('base64');
  assert.deepEqual(parseTimelineOutput(`ok\n${body}\n`), { kind: 'points', points: [{ t: 1764650000000, n: 3, p50: 5, max: 9, errors: 0 }] });
  assert.deepEqual(parsePointLines(''), []);
});

test('polls within a second share one read; later polls read only the newest seconds again', async () => {
  let now = T0;
  const reads: string[] = [];
  let answer = '1764650000 2 5.0 9.0 0\n1764650001 1 4.0 4.0 0\n';
  const exec: LabExec = async (_script, _t, env = {}) => {
    reads.push(env.KDLABS_SINCE ?? '');
    return { ok: true, value: { exitCode: 0, stdout: `ok\n${gzipSync(answer).toString('base64')}\n`, stderr: '', timedOut: false, durationMs: 1 } };
  };
  const tl = new LatencyTimeline(() => now);
  const decl = { title: 'L', log: '/var/log/x.log' };
  const [a, b] = await Promise.all([tl.get('s-1', exec, decl, 0), tl.get('s-1', exec, decl, 0)]);
  assert.deepEqual(reads, ['0']);
  assert.ok(a.ok && b.ok && a.value.points.length === 2);
  const c = await tl.get('s-1', exec, decl, T0 + 1000);
  assert.deepEqual(reads, ['0'], 'a fresh answer covers a later since');
  assert.ok(c.ok && c.value.points.length === 1);
  now += TIMELINE_CACHE_MS;
  // A late line changed the first second too: the re-read window brings it in.
  answer = '1764650000 3 5.0 3000.0 0\n1764650001 3 4.0 8.0 1\n1764650002 1 2.0 2.0 0\n';
  const d = await tl.get('s-1', exec, decl, 0);
  assert.deepEqual(reads, ['0', String(T0 + 1000 - TIMELINE_REREAD_MS)], 'reads again from a little before the last second it had');
  assert.ok(d.ok);
  assert.deepEqual(d.value.points, [
    { t: T0, n: 3, p50: 5, max: 3000, errors: 0 },
    { t: T0 + 1000, n: 3, p50: 4, max: 8, errors: 1 },
    { t: T0 + 2000, n: 1, p50: 2, max: 2, errors: 0 },
  ]);
});
