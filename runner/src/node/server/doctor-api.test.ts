import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DoctorReport } from '../../common/doctor.ts';
import { coalescedDoctor, DOCTOR_CACHE_MS } from './doctor-api.ts';

const reportAt = (n: number): DoctorReport => ({
  version: 1, generatedAt: `run ${n}`, host: { kernel: 'k', arch: 'x64', os: 'o', cpus: 1 },
  accel: { accel: 'tcg', reason: 'r', probed: false }, capabilities: [], blocking: [], ok: true,
});

function source() {
  let runs = 0;
  let release: (() => void) | null = null;
  let clock = 0;
  const doctor = coalescedDoctor(() => {
    runs++;
    const n = runs;
    return new Promise<DoctorReport>((resolve) => { release = () => resolve(reportAt(n)); });
  }, DOCTOR_CACHE_MS, () => clock);
  return {
    doctor,
    runs: () => runs,
    finish: () => { release?.(); release = null; },
    advance: (ms: number) => { clock += ms; },
  };
}

test('concurrent requests share one run', async () => {
  const s = source();
  const a = s.doctor.report();
  const b = s.doctor.report({ refresh: true });
  s.finish();
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(s.runs(), 1);
  assert.equal(ra, rb);
});

test('a fresh report is reused; an old one, or refresh, runs again', async () => {
  const s = source();
  const first = s.doctor.report();
  s.finish();
  assert.equal((await first).generatedAt, 'run 1');

  s.advance(DOCTOR_CACHE_MS - 1);
  assert.equal((await s.doctor.report()).generatedAt, 'run 1');
  assert.equal(s.runs(), 1);

  const refreshed = s.doctor.report({ refresh: true });
  s.finish();
  assert.equal((await refreshed).generatedAt, 'run 2');

  s.advance(DOCTOR_CACHE_MS);
  const expired = s.doctor.report();
  s.finish();
  assert.equal((await expired).generatedAt, 'run 3');
});

test('a failed run is not cached and does not block the next', async () => {
  let calls = 0;
  const doctor = coalescedDoctor(async () => { calls++; if (calls === 1) throw new Error('bug'); return reportAt(calls); });
  await assert.rejects(doctor.report(), /bug/);
  assert.equal((await doctor.report()).generatedAt, 'run 2');
});
