import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQemuVersion } from './host-probe.ts';

test('the QEMU version is read from --version and checked against the oldest the labs need', () => {
  assert.deepEqual(parseQemuVersion('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright …'), { ok: true, text: 'QEMU 7.2.22' });
  assert.deepEqual(parseQemuVersion('QEMU emulator version 8.1.0\n'), { ok: true, text: 'QEMU 8.1.0' });
  const old = parseQemuVersion('QEMU emulator version 5.2.0 (Debian 1:5.2+dfsg-11+deb11u2)');
  assert.ok(!old.ok && /5\.2\.0 is too old.*6\.0/.test(old.message), JSON.stringify(old));
  assert.deepEqual(parseQemuVersion('some qemu build\n'), { ok: true, text: 'some qemu build' });
});
