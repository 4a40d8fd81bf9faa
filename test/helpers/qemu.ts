// What the VM tests share: whether QEMU is here to test at all, and the QEMU
// processes a test started (found by a name in their command line), so a test
// can prove none is left and kill any that is.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** false when qemu-system-x86_64 runs here; otherwise why the VM tests are skipped. */
export const QEMU_SKIP: false | string = spawnSync('qemu-system-x86_64', ['--version']).status === 0
  ? false
  : 'qemu-system-x86_64 is not installed (scripts/ensure-prereqs.sh installs it)';

/** Pids of the running QEMUs whose command line contains any of `names`. */
export function qemuPids(...names: string[]): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return cmd.startsWith('qemu-system') && names.some((n) => cmd.includes(n));
    } catch { return false; }
  });
}
