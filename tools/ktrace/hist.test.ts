import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeHists, percentile, renderHist, totalCount } from './hist.ts';

const h = [
  { min: 1024, max: 2047, count: 50 },
  { min: 2048, max: 4095, count: 45 },
  { min: 4096, max: 8191, count: 5 },
];

test('percentiles interpolate within the containing bucket and respect the exact max', () => {
  assert.equal(percentile(h, 50), 2048); // exactly the end of the first bucket
  const p95 = percentile(h, 95) ?? 0;
  assert.ok(p95 >= 2048 && p95 <= 4096, String(p95));
  assert.ok((percentile(h, 99, 5000) ?? Infinity) <= 5000);
  assert.equal(percentile(h, 100, 5000), 5000);
  assert.equal(percentile([], 50), null);
});

test('merge adds counts per bucket and keeps order', () => {
  const m = mergeHists([h, [{ min: 512, max: 1023, count: 1 }, { min: 1024, max: 2047, count: 10 }]]);
  assert.deepEqual(m.map((b) => b.min), [512, 1024, 2048, 4096]);
  assert.equal(m[1]?.count, 60);
  assert.equal(totalCount(m), 111);
});

test('render draws proportional bars and trims empty edges', () => {
  const lines = renderHist([{ min: 0, max: 0, count: 0 }, ...h, { min: 8192, max: 16383, count: 0 }], '');
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /^\[1\.02us, 2\.05us\)\s+50 \|#{40}\|$/);
  assert.match(lines[2] ?? '', /\|####\s+\|$/);
  assert.deepEqual(renderHist([], ''), ['(no samples)']);
});
