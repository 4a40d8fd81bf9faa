// When a workshop may run. Times come from people (and from `--ends 2h`), so a
// slip of a digit must be refused with what was wrong, not stored: a workshop
// "ending" in the year 275760 would keep the owner token away from the local
// page and keep its join code alive for ever.
import { MAX_WORKSHOP_MS } from './workshop.ts';

const DAY_MS = 86_400_000;
/** Furthest ahead a workshop may be scheduled: next term's course fits; a start years away is a typo. */
export const MAX_WORKSHOP_LEAD_MS = 365 * DAY_MS;

/**
 * Checks a new workshop's window against now; null when it is fine, else what is wrong and what is
 * expected. `shown` is how the times were written (the request's own text), for the message.
 */
export function workshopTimesProblem(startsAt: number, endsAt: number, now: number, shown: { start?: string; end?: string } = {}): string | null {
  const start = shown.start ?? iso(startsAt), end = shown.end ?? iso(endsAt);
  if (endsAt <= now) return `endsAt ${end} is in the past; expected a time after now (${iso(now)})`;
  if (startsAt - now > MAX_WORKSHOP_LEAD_MS) {
    return `startsAt ${start} is more than ${days(MAX_WORKSHOP_LEAD_MS)} days ahead; expected a start before ${iso(now + MAX_WORKSHOP_LEAD_MS)}`;
  }
  if (endsAt <= startsAt) return `endsAt ${end} is not after startsAt ${start}; expected the end after the start`;
  if (endsAt - startsAt > MAX_WORKSHOP_MS) {
    return `the workshop would last ${days(endsAt - startsAt)} days (${start} to ${end}); a workshop may last at most ${days(MAX_WORKSHOP_MS)} days: expected an end before ${iso(startsAt + MAX_WORKSHOP_MS)}`;
  }
  return null;
}

function days(ms: number): string {
  const d = ms / DAY_MS;
  return Number.isInteger(d) ? String(d) : d < 1000 ? d.toFixed(1) : String(Math.round(d));
}

/** new Date(…).toISOString() for every time Date can hold (±8.64e15 ms), which is all Date.parse returns. */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}
