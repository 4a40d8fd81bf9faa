import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WORKSHOP_LEAD_MS, workshopTimesProblem } from './workshop-times.ts';
import { MAX_WORKSHOP_MS } from './workshop.ts';

const NOW = Date.parse('2026-03-01T09:00:00Z');
const HOUR = 3600_000;

test('a workshop from now or later, ending after it starts, within the bounds, is fine', () => {
  assert.equal(workshopTimesProblem(NOW, NOW + 2 * HOUR, NOW), null);
  assert.equal(workshopTimesProblem(NOW + MAX_WORKSHOP_LEAD_MS, NOW + MAX_WORKSHOP_LEAD_MS + HOUR, NOW), null, 'a year ahead exactly');
  assert.equal(workshopTimesProblem(NOW, NOW + MAX_WORKSHOP_MS, NOW), null, 'the longest');
});

test('an end in the past, before the start, or too long after it is refused with what to do', () => {
  assert.match(workshopTimesProblem(NOW - 2 * HOUR, NOW - HOUR, NOW)!, /endsAt .* is in the past; expected a time after now \(2026-03-01T09:00:00.000Z\)/);
  assert.match(workshopTimesProblem(NOW + 2 * HOUR, NOW + HOUR, NOW)!, /is not after startsAt .*; expected the end after the start/);
  assert.match(workshopTimesProblem(NOW, NOW + MAX_WORKSHOP_MS + 1, NOW)!, /would last 14\.0 days .* at most 14 days: expected an end before 2026-03-15T09:00:00.000Z/);
});

test('a start more than a year ahead is refused', () => {
  assert.match(workshopTimesProblem(NOW + MAX_WORKSHOP_LEAD_MS + 1, NOW + MAX_WORKSHOP_LEAD_MS + HOUR, NOW)!,
    /startsAt .* is more than 365 days ahead; expected a start before 2027-03-01T09:00:00.000Z/);
});

test('a workshop ending in the year 275760 is refused, naming the year', () => {
  const end = Date.parse('+275760-09-13T00:00:00Z');
  assert.ok(Number.isFinite(end), 'Date accepts it');
  const fromNow = workshopTimesProblem(NOW, end, NOW)!;
  assert.match(fromNow, /\+275760-09-13T00:00:00.000Z/);
  assert.match(fromNow, /a workshop may last at most 14 days/);
  const bothFar = workshopTimesProblem(end - HOUR, end, NOW)!;
  assert.match(bothFar, /is more than 365 days ahead/, 'a start just before it is refused too');
});

test('the request\'s own text is shown when given', () => {
  assert.match(workshopTimesProblem(NOW - 2 * HOUR, NOW - HOUR, NOW, { end: '2020-01-01T00:00:00Z' })!, /^endsAt 2020-01-01T00:00:00Z is in the past/);
});
