import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveFromKallsyms } from './kallsyms.ts';

const excerpt = readFileSync(new URL('./fixtures/kallsyms-excerpt.txt', import.meta.url), 'utf8');

test('kallsyms: the nearest text symbol below, with offset and module; data symbols and far addresses are not used', () => {
  const r = resolveFromKallsyms(excerpt, [0xffffffffc0a0102an, 0xffffffff816ea3b4n, 0xffffffffc0a02010n, 0xffffffff70000000n]);
  assert.ok(r !== null);
  assert.equal(r.get(0xffffffffc0a0102an)?.label, 'kvc_req_new+0x2a [kvcache]');
  assert.equal(r.get(0xffffffff816ea3b4n)?.label, 'getname_flags.part.0+0x24');
  // kvc_stats is data (d): the text symbol below it is kvc_req_free.
  assert.equal(r.get(0xffffffffc0a02010n)?.function, 'kvc_req_free');
  assert.deepEqual(r.get(0xffffffff70000000n), { label: '0xffffffff70000000', function: null, module: null });
});

test('kallsyms: hidden addresses (kptr_restrict) give no resolution at all', () => {
  const hidden = '0000000000000000 T _stext\n0000000000000000 t kvc_req_new\t[kvcache]\n';
  assert.equal(resolveFromKallsyms(hidden, [0xffffffffc0a0102an]), null);
  assert.equal(resolveFromKallsyms('', [1n]), null);
});
