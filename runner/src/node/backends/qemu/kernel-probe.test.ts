// The probe's process handling against stand-in "QEMU" scripts: a banner, a
// hang, an error exit, a missing binary. (test/vm-backend.test.ts runs it
// against real QEMU and the real lab kernel.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_BANNER, lastLine, probeKernelBoot } from './kernel-probe.ts';

/** Long enough for a shell script to start on a loaded host; the hang case waits exactly this. */
const PROBE_MS = 3000;

function fakeQemu(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho $$ > "${file}.pid"\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const alive = (pidFile: string): boolean => existsSync(`/proc/${readFileSync(pidFile, 'utf8').trim()}`);

test('the probe: banner → booted, silence → silent (and killed), an error exit → QEMU\'s words, no binary → failed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-probe-'));
  try {
    const req = { kernel: '/img/vmlinuz', accel: 'kvm' as const, timeoutMs: PROBE_MS };
    const boots = fakeQemu(dir, 'boots', 'printf "Probing EDD (edd=off to disable)... ok\\r\\n\\033[0m[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)\\r\\n"; exec sleep 60');
    const b = await probeKernelBoot({ ...req, qemu: boots });
    assert.equal(b.kind, 'booted', JSON.stringify(b));
    assert.equal(b.kind === 'booted' && b.line, 'Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)');
    assert.ok(!alive(`${boots}.pid`), 'the probe VM is gone once it answered');

    // A read may end inside the banner: the line is taken only once it is whole.
    const splits = fakeQemu(dir, 'splits', 'printf "[    0.000000] Linux version 6.1.0-2"; sleep 0.5; printf "8-amd64 (debian-kernel@lists.debian.org)\\r\\n"; exec sleep 60');
    const sp = await probeKernelBoot({ ...req, qemu: splits });
    assert.equal(sp.kind === 'booted' && sp.line, 'Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)', JSON.stringify(sp));

    const hangs = fakeQemu(dir, 'hangs', 'printf "SeaBIOS (version 1.16.2)\\nProbing EDD (edd=off to disable)... ok\\n"; exec sleep 60');
    const h = await probeKernelBoot({ ...req, qemu: hangs });
    assert.deepEqual(h.kind === 'silent' && h.lastOutput, 'Probing EDD (edd=off to disable)... ok', JSON.stringify(h));
    assert.ok(!alive(`${hangs}.pid`), 'a hung probe VM is killed');

    const refuses = fakeQemu(dir, 'refuses', 'echo "qemu-system-x86_64: failed to initialize kvm: Permission denied" >&2; exit 1');
    assert.deepEqual(await probeKernelBoot({ ...req, qemu: refuses }), { kind: 'failed', message: 'failed to initialize kvm: Permission denied' });

    const missing = await probeKernelBoot({ ...req, qemu: join(dir, 'no-such-qemu') });
    assert.equal(missing.kind, 'failed');
    assert.match(missing.kind === 'failed' ? missing.message : '', /could not start \(.*ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the banner and the last console line are recognised through escapes and carriage returns', () => {
  assert.ok(KERNEL_BANNER.test('[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0)'));
  assert.ok(!KERNEL_BANNER.test('Linux version'));
  assert.equal(lastLine('Booting from ROM..\r\n\x1b[2JProbing EDD... ok\r\n\r\n'), 'Probing EDD... ok');
  assert.equal(lastLine(''), '');
});
