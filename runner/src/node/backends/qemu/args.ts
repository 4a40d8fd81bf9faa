// QEMU command lines, built from plain values (no I/O): the lab VM itself and
// the short kernel boot that decides whether KVM can be used.
import { join } from 'node:path';
import { dataDiskArgs, type VmDataDisk } from './data-disk.ts';
import { crashDiskArgs } from './vmcore.ts';

export type Accel = 'kvm' | 'tcg';

/** Kernel parameters of every lab VM; the lab's `vm.cmdline` comes after them. */
export const BASE_CMDLINE: readonly string[] = [
  'root=/dev/vda', 'rootfstype=ext4', 'rw', 'console=ttyS0,115200', 'loglevel=4',
  'modprobe.blacklist=ahci', // q35's built-in SATA controller: probing its six empty ports costs seconds on TCG
  'audit=0',
  // To systemd's environment: plain status lines. Its coloured ones get cut inside an escape sequence when too long.
  'SYSTEMD_COLORS=0',
];

/** Longest accepted socket path (sun_path is 108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 100;

/** The kernel command line of a lab VM: the runner's parameters, the host name, then the lab's own. */
export function labCmdline(labId: string, labParams: readonly string[]): string[] {
  return [...BASE_CMDLINE, `systemd.hostname=${labId.slice(0, 63)}`, ...labParams];
}

export interface VmArgsInput {
  name: string;
  accel: Accel;
  memoryMb: number;
  cpus: number;
  kernel: string;
  initrd: string;
  cmdline: readonly string[];
  /** This session's qcow2 overlay on the shared base image. */
  overlay: string;
  /** The lab's files, a small read-only ext4 disk. */
  labDisk: string;
  /** Folder of the QMP and guest agent sockets. */
  socketDir: string;
  /**
   * Guest RAM in a file instead of anonymous memory (saved states, saved-state.ts):
   * `shared` when saving (the file becomes the saved RAM), not shared when
   * restoring (each session gets a private copy-on-write view of it).
   */
  ramFile?: { path: string; shared: boolean };
  /** The serial console into this file instead of QEMU's stdio (a VM nobody types into: the one a state is saved from). */
  consoleLog?: string;
  /** The crash disk (vmcore.ts): where the runner puts a panic's memory dump for the rebooted guest to copy. */
  crashDisk?: string;
  /** Wait for a migration stream instead of booting (`-incoming defer`; the runner names the socket over QMP). */
  incoming?: boolean;
  /** The lab's data disk (vm.dataDisk, data-disk.ts), after the lab files disk. */
  dataDisk?: VmDataDisk | null;
}

/** Id of the RAM memory backend object; `-machine memory-backend=` names it. */
const RAM_BACKEND_ID = 'ram';

export const qmpSocket = (socketDir: string): string => join(socketDir, 'qmp.sock');
export const agentSocket = (socketDir: string): string => join(socketDir, 'qga.sock');

/** The arguments of a lab VM's qemu-system-x86_64. */
export function qemuArgs(c: VmArgsInput): string[] {
  return [
    '-name', c.name,
    '-accel', c.accel,
    '-machine', c.ramFile ? `q35,memory-backend=${RAM_BACKEND_ID}` : 'q35',
    '-cpu', cpuModel(c.accel),
    '-smp', String(c.cpus), '-m', String(c.memoryMb),
    ...(c.ramFile ? ramFileArgs(c.ramFile.path, c.memoryMb, c.ramFile.shared) : []),
    '-nodefaults', '-no-user-config', '-display', 'none', '-nic', 'none',
    '-kernel', c.kernel, '-initrd', c.initrd, '-append', c.cmdline.join(' '),
    // The overlay is thrown away with the session: no need to flush it to the host's disk.
    '-drive', `file=${c.overlay},if=virtio,format=qcow2,cache=unsafe,discard=unmap`,
    '-drive', `file=${c.labDisk},if=virtio,format=raw,readonly=on`,
    ...(c.dataDisk ? dataDiskArgs(c.dataDisk) : []),
    ...(c.crashDisk ? crashDiskArgs(c.crashDisk) : []),
    // The serial console on QEMU's stdio (the pty); signal=off: Ctrl-C goes to the guest, not QEMU.
    '-chardev', c.consoleLog ? `file,id=console,path=${c.consoleLog}` : 'stdio,id=console,signal=off', '-serial', 'chardev:console',
    '-chardev', `socket,id=qmp,path=${qmpSocket(c.socketDir)},server=on,wait=off`, '-mon', 'chardev=qmp,mode=control',
    '-chardev', `socket,id=qga,path=${agentSocket(c.socketDir)},server=on,wait=off`,
    '-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=qga,name=org.qemu.guest_agent.0',
    '-device', 'virtio-rng-pci',
    // A guest panic pauses the VM and raises GUEST_PANICKED on QMP; the runner takes it from there.
    '-device', 'pvpanic', '-action', 'panic=pause',
    // The guest kernel publishes its vmcoreinfo (version, KASLR offset) here; QEMU's memory dumps carry it, so crash can read them.
    '-device', 'vmcoreinfo',
    '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    ...(c.incoming ? ['-incoming', 'defer'] : []),
  ];
}

/**
 * Guest RAM backed by `path`. share=on maps it MAP_SHARED: the guest's writes
 * land in the file, which is then the saved RAM. share=off maps it MAP_PRIVATE:
 * the guest reads the saved pages and its writes stay in this process, so any
 * number of sessions restore from one file without copying or changing it.
 */
export function ramFileArgs(path: string, memoryMb: number, shared: boolean): string[] {
  return ['-object', `memory-backend-file,id=${RAM_BACKEND_ID},mem-path=${path},share=${shared ? 'on' : 'off'},size=${memoryMb}M`];
}

/**
 * Kernel parameters of the accelerator probe: the kernel's messages on the
 * serial port from its very first line (earlyprintk, every log level), and no
 * reboot loop once it finds no root disk.
 */
export const PROBE_CMDLINE: readonly string[] = [
  'console=ttyS0,115200', 'earlyprintk=serial,ttyS0,115200', 'ignore_loglevel', 'panic=-1', 'audit=0',
];

export interface ProbeArgsInput {
  accel: Accel;
  kernel: string;
  initrd?: string;
  /** Start with the CPUs stopped (`-S`): a guest that never runs, exactly what a hung KVM guest looks like from outside. */
  frozen?: boolean;
}

/** A throw-away VM with the lab kernel and no disks, its console on stdout. */
export function kernelProbeArgs(p: ProbeArgsInput): string[] {
  return [
    '-accel', p.accel,
    '-machine', 'q35',
    '-cpu', cpuModel(p.accel),
    '-m', '256',
    '-nodefaults', '-no-user-config', '-display', 'none', '-nic', 'none', '-no-reboot',
    '-kernel', p.kernel, ...(p.initrd ? ['-initrd', p.initrd] : []), '-append', PROBE_CMDLINE.join(' '),
    '-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console',
    ...(p.frozen ? ['-S'] : []),
  ];
}

/** KVM passes the host CPU through; TCG emulates the most capable model it has. */
function cpuModel(accel: Accel): string {
  return accel === 'kvm' ? 'host' : 'max';
}
