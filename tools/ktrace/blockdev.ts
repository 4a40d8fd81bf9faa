// Block device numbers from tracepoints are the kernel-internal dev_t
// (major << 20 | minor), not the user-space encoding.
import { readFileSync } from 'node:fs';

const MINOR_BITS = 20;
const MINOR_MASK = (1 << MINOR_BITS) - 1;

export function splitDevT(dev: number): { major: number; minor: number } {
  return { major: Math.floor(dev / 2 ** MINOR_BITS), minor: dev & MINOR_MASK };
}

/** "vda" from /sys/dev/block/M:m/uevent, else "M:m". */
export function blockDevName(dev: number): string {
  const { major, minor } = splitDevT(dev);
  try {
    const uevent = readFileSync(`/sys/dev/block/${major}:${minor}/uevent`, 'utf8');
    const m = /^DEVNAME=(.+)$/m.exec(uevent);
    if (m?.[1]) return m[1];
  } catch {
    // device gone or sysfs not visible (container): fall back to numbers
  }
  return `${major}:${minor}`;
}
