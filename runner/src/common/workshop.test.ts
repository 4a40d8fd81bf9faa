import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createWorkshopRequestSchema, formatJoinCode, isJoinCode, isLearnerId, isWorkshopId,
  normalizeJoinCode, parseDuration, workshopState,
} from './workshop.ts';

test('durations: minutes, hours, days and combinations', () => {
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('2h'), 2 * 3600_000);
  assert.equal(parseDuration('1h30m'), 90 * 60_000);
  assert.equal(parseDuration('1d'), 24 * 3600_000);
  for (const bad of ['', '0m', '2', 'h', '2 hours', '-1h', '1m2h']) assert.equal(parseDuration(bad), null, bad);
});

test('join codes normalize, validate and format', () => {
  assert.equal(normalizeJoinCode(' abcd-efgh '), 'ABCDEFGH');
  assert.ok(isJoinCode('ABCDEFGH'));
  assert.equal(isJoinCode('ABCDEFG0'), false, 'no zero');
  assert.equal(isJoinCode('ABCDEFGHJ'), false, 'length');
  assert.equal(formatJoinCode('ABCDEFGH'), 'ABCD-EFGH');
});

test('ids have exact shapes', () => {
  assert.ok(isWorkshopId('w-abcdefgh2345'));
  assert.equal(isWorkshopId('w-ABCDEFGH2345'), false);
  assert.ok(isLearnerId('l-abcdefgh2345'));
  assert.ok(isLearnerId('local'));
  assert.equal(isLearnerId('l-../../etc'), false);
});

test('workshop state follows the clock', () => {
  const w = { startsAt: 100, endsAt: 200, closedAt: null };
  assert.equal(workshopState(w, 50), 'scheduled');
  assert.equal(workshopState(w, 100), 'open');
  assert.equal(workshopState(w, 200), 'ended');
  assert.equal(workshopState({ ...w, closedAt: 150 }, 120), 'closed');
});

test('create requests name every problem', () => {
  const r = createWorkshopRequestSchema.safeParse({ labs: [], seats: 0, endsAt: 'tomorrow', extra: 1 });
  assert.ok(!r.success);
  const text = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  assert.match(text, /labs: expected at least one lab/);
  assert.match(text, /seats/);
  assert.match(text, /endsAt: expected an ISO 8601 time/);
  assert.match(text, /extra/);
});
