import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decideChromium } from './chromium.ts';

test('the recorded chromium --version: ok with its version', () => {
  const stdout = readFileSync(new URL('./fixtures/chromium-version.txt', import.meta.url), 'utf8');
  const o = decideChromium('/usr/bin/chromium', { ok: true, value: { code: 0, stdout, stderr: '', timedOut: false } });
  assert.equal(o.status, 'ok');
  assert.equal(o.facts.version, '156.0.8078.114');
});

test('not installed: missing, with the package', () => {
  const o = decideChromium('/usr/bin/chromium', { ok: false, code: 'ENOENT', message: 'spawn ENOENT' });
  assert.equal(o.status, 'missing');
  assert.match(o.fix ?? '', /^apt-get install -y chromium/);
});
