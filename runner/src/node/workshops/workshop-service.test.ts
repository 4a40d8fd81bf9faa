// Joining, on a real progress database with a fake clock: failed joins are
// limited per client and per workshop, names are compared as people read them,
// and workshop times stay within bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { openProgressDb } from '../progress/database.ts';
import { ProgressStore } from '../progress/progress-store.ts';
import { ProgressFeed } from '../progress/progress-feed.ts';
import { WorkshopService } from './workshop-service.ts';
import { FAILED_JOIN_WINDOW_MS, MAX_FAILED_JOINS } from './join-limiter.ts';

const NOW = Date.parse('2026-03-01T09:00:00Z');
const LAB = 'syscall-storm';
const inHours = (h: number): string => new Date(NOW + h * 3600_000).toISOString();

type Fixture = ReturnType<typeof service>;

/** Runs a test on a fresh database, closed and removed after. */
function withService(fn: (s: Fixture) => void): void {
  const s = service();
  try { fn(s); } finally { s.dispose(); }
}

function service() {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-workshops-'));
  const db = openProgressDb(join(dir, 'progress.db'));
  let now = NOW;
  const labs = new Map([[LAB, { id: LAB } as ResolvedLab]]);
  const workshops = new WorkshopService(new ProgressStore(db), new ProgressFeed(), labs, () => now);
  const open = (seats = 100): { id: string; code: string } => {
    const r = workshops.create({ labs: [LAB], seats, endsAt: inHours(2) });
    assert.ok(r.ok, JSON.stringify(r));
    return { id: r.value.id, code: r.value.joinCode };
  };
  return {
    workshops, open,
    advance: (ms: number) => { now += ms; },
    dispose: () => { db.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

test('30 wrong codes from one address block that address only', () => withService((s) => {
  const a = s.open(), b = s.open();
  for (let i = 0; i < MAX_FAILED_JOINS; i++) {
    const r = s.workshops.join('ZZZZ-ZZZZ', 'Guesser', '203.0.113.9');
    assert.equal(!r.ok && r.error.code, 'not-found');
  }
  const blocked = s.workshops.join(a.code, 'Guesser', '203.0.113.9');
  assert.ok(!blocked.ok && blocked.error.code === 'rate-limited', 'the guesser is stopped, whatever code it tries next');
  assert.equal(!blocked.ok && blocked.error.retryAfterSeconds, 60);
  assert.match(!blocked.ok ? blocked.error.message : '', /too many failed joins from your address; try again in 60 s/);
  assert.ok(s.workshops.join(a.code, 'Ann', '198.51.100.1').ok, 'another address joins workshop a');
  assert.ok(s.workshops.join(b.code, 'Bo', '198.51.100.2').ok, 'and another joins workshop b');
  s.advance(FAILED_JOIN_WINDOW_MS);
  assert.ok(s.workshops.join(a.code, 'Guesser', '203.0.113.9').ok, 'after the window the address may join');
}));

test('malformed codes count as wrong codes', () => withService((s) => {
  for (let i = 0; i < MAX_FAILED_JOINS; i++) s.workshops.join('nope', 'X', '203.0.113.9');
  const r = s.workshops.join('ABCD-EFGH', 'X', '203.0.113.9');
  assert.equal(!r.ok && r.error.code, 'rate-limited');
}));

test('taken names count per address and workshop: probing one roster does not block another workshop', () => withService((s) => {
  const a = s.open(), b = s.open();
  assert.ok(s.workshops.join(a.code, 'Ann', '198.51.100.1').ok);
  for (let i = 0; i < MAX_FAILED_JOINS; i++) {
    const r = s.workshops.join(a.code, 'ann', '203.0.113.9');
    assert.equal(!r.ok && r.error.code, 'conflict');
  }
  const again = s.workshops.join(a.code, 'Zed', '203.0.113.9');
  assert.equal(!again.ok && again.error.code, 'rate-limited', 'the prober is stopped on workshop a');
  assert.ok(s.workshops.join(b.code, 'Zed', '203.0.113.9').ok, 'but joins workshop b with its right code');
  assert.ok(s.workshops.join(a.code, 'Cy', '198.51.100.3').ok, 'and others still join workshop a');
}));

test('names are NFKC + case-folded before they are compared; invisible characters are refused', () => withService((s) => {
  const a = s.open();
  const ann = s.workshops.join(a.code, 'Ann', '198.51.100.1');
  assert.ok(ann.ok);
  for (const alike of ['ANN', 'Ａｎｎ', ' ann ']) {
    const r = s.workshops.join(a.code, alike, '198.51.100.2');
    assert.equal(!r.ok && r.error.code, 'conflict', alike);
    assert.match(!r.ok ? r.error.message : '', /already uses the name .* \(names that differ only in case or character width count as the same\)/);
  }
  const zw = s.workshops.join(a.code, 'An\u200Bn', '198.51.100.2');
  assert.equal(!zw.ok && zw.error.code, 'bad-request');
  assert.match(!zw.ok ? zw.error.message : '', /zero-width character \(U\+200B at character 3\)/);
  const wide = s.workshops.join(a.code, 'Ｂｏ', '198.51.100.2');
  assert.ok(wide.ok && wide.value.learner.name === 'Bo', 'stored as normalised');
}));

test('workshop times: the year 275760 and starts years ahead are refused clearly', () => withService((s) => {
  const far = s.workshops.create({ labs: [LAB], seats: 5, endsAt: '+275760-09-13T00:00:00.000Z' });
  assert.ok(!far.ok);
  assert.equal(far.error.code, 'bad-request');
  assert.match(far.error.message, /\+275760-09-13T00:00:00.000Z.*a workshop may last at most 14 days/);
  const late = s.workshops.create({ labs: [LAB], seats: 5, startsAt: inHours(24 * 400), endsAt: inHours(24 * 400 + 2) });
  assert.ok(!late.ok);
  assert.match(late.error.message, /is more than 365 days ahead/);
  assert.ok(s.workshops.create({ labs: [LAB], seats: 5, startsAt: inHours(24 * 30), endsAt: inHours(24 * 30 + 3) }).ok, 'next month is fine');
}));

test('a workshop refuses a lab that makes learners root on the host unless the runner allows it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-workshops-'));
  const db = openProgressDb(join(dir, 'progress.db'));
  try {
    const labs = new Map<string, ResolvedLab>([
      ['storm', { id: 'storm', backend: 'container', capabilities: ['SYS_ADMIN', 'SYS_PTRACE'] } as unknown as ResolvedLab],
      ['quiet', { id: 'quiet', backend: 'container', capabilities: ['SYS_PTRACE'] } as unknown as ResolvedLab],
      ['panic', { id: 'panic', backend: 'vm', capabilities: [] } as unknown as ResolvedLab],
    ]);
    const strict = new WorkshopService(new ProgressStore(db), new ProgressFeed(), labs, () => NOW);
    const refused = strict.create({ labs: ['panic', 'storm'], seats: 5, endsAt: inHours(2) });
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'forbidden');
    assert.match(refused.error.message, /"storm" would mean each learner .*root on the machine/);
    assert.match(refused.error.message, /SYS_ADMIN: mount/);
    assert.match(refused.error.message, /--allow-host-root-labs/);
    assert.match(refused.error.message, /keep learners off the host: quiet, panic\.$/);
    assert.ok(strict.create({ labs: ['panic', 'quiet'], seats: 5, endsAt: inHours(2) }).ok, 'VM labs and confined containers are fine');
    const allowing = new WorkshopService(new ProgressStore(db), new ProgressFeed(), labs, () => NOW, true);
    assert.ok(allowing.create({ labs: ['storm'], seats: 5, endsAt: inHours(2) }).ok, '--allow-host-root-labs');
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
