import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND_STATUS_CACHE_MS, cachedBackendStatus, type BackendStatus } from './backend-status.ts';

test('the backends are asked once per interval however often health is polled', async () => {
  let clock = 0, asked = 0;
  let docker = true;
  const status = cachedBackendStatus(async (): Promise<BackendStatus> => {
    asked++;
    return { container: { ok: docker, message: docker ? 'up' : 'down' } };
  }, BACKEND_STATUS_CACHE_MS, () => clock);
  for (let i = 0; i < 50; i++) assert.equal((await status()).container!.ok, true);
  assert.equal(asked, 1, 'fifty polls, one asking');
  docker = false;
  clock += BACKEND_STATUS_CACHE_MS - 1;
  assert.equal((await status()).container!.ok, true, 'still the cached answer');
  clock += 1;
  assert.equal((await status()).container!.ok, false, 'a stopped Docker shows after the interval');
  assert.equal(asked, 2);
});

test('callers at the same time share one asking; a failed asking is not cached', async () => {
  let asked = 0;
  let release: (() => void) | null = null;
  let fail = true;
  const status = cachedBackendStatus(() => {
    asked++;
    if (fail) return Promise.reject(new Error('preflight threw'));
    return new Promise<BackendStatus>((resolve) => { release = () => resolve({ vm: { ok: true, message: 'kvm' } }); });
  }, BACKEND_STATUS_CACHE_MS, () => 0);
  await assert.rejects(status(), /preflight threw/);
  fail = false;
  const a = status(), b = status();
  assert.equal(asked, 2, 'asked again after the failure, once for both callers');
  release!();
  assert.deepEqual(await a, await b);
});
