// Is QEMU on this host, and new enough? The binaries the backend runs, and
// their version check (the message names the package that fixes it).
import { spawnSync } from 'node:child_process';

export const QEMU = process.env.KDLABS_QEMU ?? 'qemu-system-x86_64';
export const QEMU_IMG = process.env.KDLABS_QEMU_IMG ?? 'qemu-img';
/** `-action panic=pause` appeared in QEMU 6.0; Debian 12 ships 7.2. */
const MIN_QEMU_VERSION: [number, number] = [6, 0];

export type QemuVersion = { ok: true; text: string } | { ok: false; message: string };

/** Runs `qemu-system-x86_64 --version` and `qemu-img --version`. */
export function qemuVersion(qemu = QEMU, qemuImg = QEMU_IMG): QemuVersion {
  const r = spawnSync(qemu, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    return { ok: false, message: `${qemu} not found; install it with: apt-get install -y qemu-system-x86 qemu-utils (or run scripts/ensure-prereqs.sh)` };
  }
  if (spawnSync(qemuImg, ['--version']).status !== 0) {
    return { ok: false, message: `${qemuImg} not found; install it with: apt-get install -y qemu-utils (or run scripts/ensure-prereqs.sh)` };
  }
  return parseQemuVersion(r.stdout);
}

/** The first line of `qemu-system-x86_64 --version`, checked against the oldest QEMU the labs need. */
export function parseQemuVersion(stdout: string): QemuVersion {
  const m = /version (\d+)\.(\d+)(\.\d+)?/.exec(stdout);
  if (!m) return { ok: true, text: stdout.split('\n')[0]?.trim() || 'QEMU' };
  const [maj, min] = [Number(m[1]), Number(m[2])];
  if (maj < MIN_QEMU_VERSION[0] || (maj === MIN_QEMU_VERSION[0] && min < MIN_QEMU_VERSION[1])) {
    return { ok: false, message: `QEMU ${m[0].slice('version '.length)} is too old: VM labs need ${MIN_QEMU_VERSION.join('.')} or newer (-action panic=pause); install a newer qemu-system-x86` };
  }
  return { ok: true, text: `QEMU ${m[1]}.${m[2]}${m[3] ?? ''}` };
}
