import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideBtf } from './btf.ts';

test('the first bytes of a real /sys/kernel/btf/vmlinux (9f eb 01 00): ok', () => {
  const o = decideBtf({ ok: true, value: new Uint8Array([0x9f, 0xeb, 0x01, 0x00]) }, 5515852, 0);
  assert.equal(o.status, 'ok');
  assert.match(o.detail, /5\.3 MiB/);
});

test('no file: missing, CO-RE tools named', () => {
  const o = decideBtf({ ok: false, code: 'ENOENT', message: 'no such file' }, null, 0);
  assert.equal(o.status, 'missing');
  assert.match(o.why ?? '', /CONFIG_DEBUG_INFO_BTF/);
  assert.match(o.why ?? '', /runqlat/);
});

test('a file without the magic: degraded', () => {
  assert.equal(decideBtf({ ok: true, value: new Uint8Array([0x7f, 0x45]) }, 2, 0).status, 'degraded');
});
