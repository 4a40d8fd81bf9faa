import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootWatch } from './boot-watch.ts';

const BUILD = 'npm run labs -- build driver-panic';

test('a boot moves through its stages; done when root is logged in and the agent answers', async () => {
  const w = new BootWatch('tcg', 1000, BUILD);
  assert.equal(w.progressLine(1000).en, 'booting the VM (TCG): 0 s, QEMU is loading the kernel — last console line: (none yet)');
  assert.equal(w.output()?.en, 'kernel up, initramfs mounting the root disk');
  assert.equal(w.output(), null, 'said once');
  assert.equal(w.line('[    1.2] virtio_blk virtio1: [vda] 4194304 512-byte logical blocks'), null);
  assert.equal(w.progressLine(13_400).en, 'booting the VM (TCG): 12 s, the kernel is starting — last console line: [    1.2] virtio_blk virtio1: [vda] 4194304 512-byte logical blocks');
  assert.equal(w.line('Welcome to Debian GNU/Linux 12 (bookworm)!')?.en, 'systemd is starting services');
  assert.equal(w.stage, 'systemd');
  assert.equal(w.line('lab login: root (automatic login)')?.en, 'root logged in on the serial console');
  assert.match(w.progressLine(20_000).en, /waiting for the guest agent/);
  assert.match(w.progressLine(20_000).ko, /게스트 에이전트를 기다리는 중/, 'and in Korean');
  assert.equal(w.done, false);
  w.agentUp();
  assert.equal(w.done, true);
  assert.deepEqual(await w.result, { ok: true });
  w.fail('too late');
  assert.deepEqual(await w.result, { ok: true }, 'the first outcome stands');
});

test('a KVM boot that stalls in the kernel names the stall and the exact fix (KDLABS_QEMU_ACCEL=tcg)', () => {
  const w = new BootWatch('kvm', 0, BUILD);
  assert.match(w.stallMessage(60_000, '(no console output)'),
    /^the VM \(KVM\) did not finish booting within 60 s: the kernel printed nothing on the serial console\. Fix: set KDLABS_QEMU_ACCEL=tcg .*last console lines: \(no console output\)$/);
  w.output();
  w.line('Probing EDD (edd=off to disable)... ok');
  assert.match(w.stallMessage(60_000, 'Probing EDD (edd=off to disable)... ok'), /the kernel stalled before systemd started, at "Probing EDD \(edd=off to disable\)\.\.\. ok"\. Fix: set KDLABS_QEMU_ACCEL=tcg/);
});

test('a TCG boot that stalls: what stalled, and a rebuild (or QEMU reinstall) as the fix', () => {
  const silent = new BootWatch('tcg', 0, BUILD);
  const m = silent.stallMessage(300_000, '(no console output)');
  assert.match(m, /^the VM \(TCG\) did not finish booting within 300 s: the kernel printed nothing/);
  assert.match(m, /npm run labs -- build driver-panic/);
  assert.match(m, /apt-get install --reinstall -y qemu-system-x86/);
  assert.doesNotMatch(m, /KDLABS_QEMU_ACCEL/, 'TCG is already the fallback');

  const systemd = new BootWatch('tcg', 0, BUILD);
  systemd.output();
  systemd.line('Welcome to Debian GNU/Linux 12 (bookworm)!');
  systemd.line('[  OK  ] Started systemd-udevd.service');
  assert.match(systemd.stallMessage(300_000, '…'), /systemd did not reach the console login, last at "\[  OK  \] Started systemd-udevd\.service"\. Fix: rebuild the VM image with `npm run labs -- build driver-panic`/);

  const noAgent = new BootWatch('kvm', 0, BUILD);
  noAgent.line('lab login: root (automatic login)');
  assert.match(noAgent.stallMessage(60_000, '…'), /guest agent \(qemu-ga\) did not answer within 60 s\. Fix: rebuild .*qemu-guest-agent/);

  const noLogin = new BootWatch('tcg', 0, BUILD);
  noLogin.agentUp();
  assert.match(noLogin.stallMessage(300_000, '…'), /console login did not appear .*autologin/);
});

test('long console lines are cut in progress messages', () => {
  const w = new BootWatch('tcg', 0, BUILD);
  w.line(`x${'y'.repeat(500)}`);
  assert.ok(w.lastLine.length <= 140);
});

test('a boot after a panic that hangs in the initramfs ends at once, so the VM can be reset again; a first boot waits out its limit', async () => {
  const hung = '[  243.1] INFO: task mount:132 blocked for more than 120 seconds.';
  const retry = new BootWatch('tcg', 0, 'npm run labs -- build x', true);
  retry.output();
  retry.line(hung);
  const r = await retry.result;
  assert.ok(!r.ok && /stalled in the initramfs.*mount:132 blocked/.test(r.message), JSON.stringify(r));

  const first = new BootWatch('tcg', 0, 'npm run labs -- build x');
  first.output();
  first.line(hung);
  assert.equal(first.done, false);
  const late = new BootWatch('tcg', 0, 'npm run labs -- build x', true);
  late.output();
  late.line('Welcome to Debian GNU/Linux 12 (bookworm)!');
  late.line(hung);
  assert.equal(late.done, false, 'past the initramfs a hung task is the lab\'s business');
});
