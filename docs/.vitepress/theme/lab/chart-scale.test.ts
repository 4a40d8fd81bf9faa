import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bucketLabel, formatBytes, formatCount, formatNs, formatValue, linearScale, niceTicks, timeTicks, timeTickStep } from './chart-scale.ts'

test('a linear scale maps ends to ends', () => {
  const s = linearScale(0, 100, 200, 0)
  assert.equal(s(0), 200)
  assert.equal(s(50), 100)
  assert.equal(linearScale(5, 5, 10, 20)(5), 10)
})

test('nice ticks are round and reach the maximum', () => {
  assert.deepEqual(niceTicks(100, 5), [0, 20, 40, 60, 80, 100])
  assert.deepEqual(niceTicks(87, 4), [0, 50, 100])
  assert.deepEqual(niceTicks(0.3, 3), [0, 0.1, 0.2, 0.3])
  assert.deepEqual(niceTicks(0), [0, 1])
  const t = niceTicks(12345, 5)
  assert.ok(t[t.length - 1]! >= 12345 && t.length <= 8, String(t))
})

test('units read as a person writes them', () => {
  assert.equal(formatNs(850), '850 ns')
  assert.equal(formatNs(1500), '1.5 µs')
  assert.equal(formatNs(12_000_000), '12 ms')
  assert.equal(formatNs(2_100_000_000), '2.1 s')
  assert.equal(formatBytes(512), '512 B')
  assert.equal(formatBytes(4096), '4 KiB')
  assert.equal(formatBytes(1.5 * 1024 * 1024), '1.5 MiB')
  assert.equal(formatCount(950), '950')
  assert.equal(formatCount(12_500), '12.5k')
  assert.equal(formatValue(12_500, 'per-second'), '12.5k/s')
  assert.equal(formatValue(3.5, 'ms'), '3.5 ms')
  assert.equal(formatValue(0, 'ms'), '0 ms')
  assert.equal(formatValue(2500, 'ms'), '2.5 s')
})

test('log2 buckets get readable labels', () => {
  assert.equal(bucketLabel(1024, 2047, 'ns'), '1–2 µs')
  assert.equal(bucketLabel(4096, 8191, 'ns'), '4.1–8.2 µs')
  assert.equal(bucketLabel(65536, 131071, 'ns'), '66–131 µs')
  assert.equal(bucketLabel(512, 1023, 'ns'), '512 ns–1 µs')
  assert.equal(bucketLabel(0, 0, 'ns'), '0 ns')
  assert.equal(bucketLabel(1024, 2047, 'bytes'), '1–2 KiB')
  assert.equal(bucketLabel(null, 1023, 'bytes'), '< 1 KiB')
  assert.equal(bucketLabel(1048576, null, 'bytes'), '≥ 1 MiB')
})

test('time ticks fall on whole steps', () => {
  assert.equal(timeTickStep(60_000, 6), 10)
  assert.equal(timeTickStep(3_000, 6), 1)
  assert.deepEqual(timeTicks(1_000_500, 1_031_000, 4), [1_010_000, 1_020_000, 1_030_000])
})
