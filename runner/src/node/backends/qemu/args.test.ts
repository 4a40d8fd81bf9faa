import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_CMDLINE, kernelProbeArgs, labCmdline, PROBE_CMDLINE, qemuArgs, type VmArgsInput } from './args.ts';

const vm: VmArgsInput = {
  name: 'kdlabs-s-1', accel: 'tcg', memoryMb: 1024, cpus: 2, kernel: '/img/vmlinuz', initrd: '/img/initrd.img',
  cmdline: ['root=/dev/vda', 'oops=panic'], overlay: '/d/overlay.qcow2', labDisk: '/d/lab.img', socketDir: '/tmp/kdlabs-s-1',
};

/** The value after `flag`, for each time the flag appears. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

test('a lab VM: its accelerator picks the CPU model; disks, sockets, console and pvpanic are wired', () => {
  const tcg = qemuArgs(vm);
  assert.deepEqual(values(tcg, '-accel'), ['tcg']);
  assert.deepEqual(values(tcg, '-cpu'), ['max']);
  assert.deepEqual(values(qemuArgs({ ...vm, accel: 'kvm' }), '-cpu'), ['host']);
  assert.deepEqual(values(tcg, '-smp'), ['2']);
  assert.deepEqual(values(tcg, '-m'), ['1024']);
  assert.deepEqual(values(tcg, '-append'), ['root=/dev/vda oops=panic']);
  assert.deepEqual(values(tcg, '-drive'), [
    'file=/d/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe,discard=unmap',
    'file=/d/lab.img,if=virtio,format=raw,readonly=on',
  ]);
  const chardevs = values(tcg, '-chardev');
  assert.ok(chardevs.includes('socket,id=qmp,path=/tmp/kdlabs-s-1/qmp.sock,server=on,wait=off'));
  assert.ok(chardevs.includes('socket,id=qga,path=/tmp/kdlabs-s-1/qga.sock,server=on,wait=off'));
  assert.ok(chardevs.includes('stdio,id=console,signal=off'), 'Ctrl-C goes to the guest');
  assert.ok(values(tcg, '-device').includes('pvpanic'));
  assert.deepEqual(values(tcg, '-action'), ['panic=pause']);
  assert.ok(tcg.includes('-nodefaults') && !tcg.includes('-S'));
});

test('the lab kernel command line: the runner\'s parameters, a host name of at most 63 characters, then the lab\'s', () => {
  const line = labCmdline('x'.repeat(80), ['oops=panic']);
  assert.deepEqual(line.slice(0, BASE_CMDLINE.length), [...BASE_CMDLINE]);
  assert.equal(line[BASE_CMDLINE.length], `systemd.hostname=${'x'.repeat(63)}`);
  assert.equal(line.at(-1), 'oops=panic');
  assert.ok(line.includes('console=ttyS0,115200'));
});

test('the accelerator probe: the lab kernel, no disks, every kernel message on the serial port, no reboot', () => {
  const kvm = kernelProbeArgs({ accel: 'kvm', kernel: '/img/vmlinuz', initrd: '/img/initrd.img' });
  assert.deepEqual(values(kvm, '-accel'), ['kvm']);
  assert.deepEqual(values(kvm, '-cpu'), ['host']);
  assert.deepEqual(values(kvm, '-kernel'), ['/img/vmlinuz']);
  assert.deepEqual(values(kvm, '-initrd'), ['/img/initrd.img']);
  assert.deepEqual(values(kvm, '-append'), [PROBE_CMDLINE.join(' ')]);
  assert.match(PROBE_CMDLINE.join(' '), /earlyprintk=serial,ttyS0/);
  assert.ok(PROBE_CMDLINE.includes('ignore_loglevel'), 'the banner is a notice: shown only with every level on');
  assert.ok(kvm.includes('-no-reboot') && !kvm.includes('-drive') && !kvm.includes('-S'));
  const noInitrd = kernelProbeArgs({ accel: 'tcg', kernel: '/k' });
  assert.deepEqual(values(noInitrd, '-initrd'), []);
  assert.deepEqual(values(noInitrd, '-cpu'), ['max']);
  assert.ok(kernelProbeArgs({ accel: 'tcg', kernel: '/k', frozen: true }).includes('-S'), 'a frozen probe never runs its CPUs');
});

test('saving: RAM in a shared file; restoring: a private view of it, waiting for the migration stream', () => {
  const save = qemuArgs({ ...vm, ramFile: { path: '/s/ram.bin', shared: true }, consoleLog: '/s/console.log' });
  assert.deepEqual(values(save, '-machine'), ['q35,memory-backend=ram'], 'one -machine: the RAM is the backend object');
  assert.deepEqual(values(save, '-object'), ['memory-backend-file,id=ram,mem-path=/s/ram.bin,share=on,size=1024M']);
  assert.ok(values(save, '-chardev').includes('file,id=console,path=/s/console.log'));
  assert.deepEqual(values(save, '-incoming'), []);
  const restore = qemuArgs({ ...vm, ramFile: { path: '/s/ram.bin', shared: false }, incoming: true });
  assert.deepEqual(values(restore, '-object'), ['memory-backend-file,id=ram,mem-path=/s/ram.bin,share=off,size=1024M'], 'MAP_PRIVATE: the saved RAM is never written');
  assert.deepEqual(values(restore, '-incoming'), ['defer'], 'the runner sets x-ignore-shared before it names the socket');
  assert.ok(values(restore, '-chardev').includes('stdio,id=console,signal=off'), 'a restored VM\'s console is the lab terminal');
  // The device set must be the same on both sides of a migration: only the RAM sharing, console backend and -incoming differ.
  const strip = (a: string[]) => a.join('\n').replace(/share=(on|off)/, '').replace(/\n-chardev\n(file|stdio)[^\n]*/, '').replace(/\n-incoming\ndefer/, '');
  assert.equal(strip(save), strip(restore));
  const plain = qemuArgs(vm);
  assert.deepEqual(values(plain, '-machine'), ['q35']);
  assert.deepEqual(values(plain, '-object'), []);
});

test('a data disk (vm.dataDisk): after the lab files disk, throttled, with the serial the guest finds it by', () => {
  const args = qemuArgs({ ...vm, dataDisk: { file: '/d/data.qcow2', spec: { sizeMb: 512, iops: 200, bps: 8388608 } } });
  assert.deepEqual(values(args, '-drive'), [
    'file=/d/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe,discard=unmap',
    'file=/d/lab.img,if=virtio,format=raw,readonly=on',
    'file=/d/data.qcow2,if=none,id=data,format=qcow2,cache=unsafe,throttling.iops-total=200,throttling.bps-total=8388608',
  ]);
  assert.ok(values(args, '-device').includes('virtio-blk-pci,drive=data,serial=kdlabs-data,addr=0x10'));
  assert.deepEqual(qemuArgs({ ...vm, dataDisk: null }), qemuArgs(vm), 'no data disk: the arguments of a lab without one');
});
