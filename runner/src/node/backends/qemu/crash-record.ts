// The kdump-style crash record of a guest panic: the console's last words saved
// on the host (<session>/crash/console.<stamp>) at the panic, and in the guest
// /var/crash/<stamp>/dmesg.<stamp>, with the memory dump beside it as
// dump.<stamp> (kdump-tools' names) when the runner took one. The runner puts
// both on the crash disk (vmcore.ts); the guest copies them in early in its
// next boot (vm-images/vm/files/usr/local/sbin/kdlabs-crash-record).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_PATH, guestExec, type GuestContext } from './guest-exec.ts';
import { crashStamp } from './vm-console.ts';

/** The guest's copier: a boot service runs it, and the runner once more after the boot. */
export const GUEST_CRASH_RECORD_COMMAND = '/usr/local/sbin/kdlabs-crash-record';
/** Copying a dump (tens to hundreds of MiB) off the crash disk on a TCG guest; the boot's own copy may still hold the lock. */
const RECORD_COPY_TIMEOUT_MS = 300_000;

/** kdump's folder name for a panic at `at`; a second panic within the same minute gets the seconds too. */
export function uniqueStamp(sessionDir: string, at: Date): string {
  const base = crashStamp(at);
  return existsSync(join(sessionDir, 'crash', `console.${base}`)) ? `${base}${String(at.getUTCSeconds()).padStart(2, '0')}` : base;
}

/**
 * Keeps the console tail on the host. Returns an error message (a full or
 * read-only disk) instead of throwing: the reboot and the guest record go on.
 */
export function saveConsoleLog(sessionDir: string, stamp: string, tail: Buffer): string | null {
  try {
    mkdirSync(join(sessionDir, 'crash'), { recursive: true });
    writeFileSync(join(sessionDir, 'crash', `console.${stamp}`), tail);
    return null;
  } catch (e) {
    return `could not save the console log on the host: ${(e as Error).message}`;
  }
}

/**
 * Makes sure the record of the panic `stamp` is in the guest: runs the copier
 * (it waits for the boot's run, if that is still copying, then has nothing
 * left to do) and checks that /var/crash/<stamp>/dmesg.<stamp> is there.
 */
export async function collectCrashRecord(g: GuestContext, stamp: string): Promise<void> {
  const env = { PATH: GUEST_PATH };
  const run = await guestExec(g, [GUEST_CRASH_RECORD_COMMAND], undefined, RECORD_COPY_TIMEOUT_MS, env);
  if (run.exitCode !== 0) throw new Error(`${GUEST_CRASH_RECORD_COMMAND} exited ${run.exitCode}: ${(run.stderr || run.stdout).trim()}`);
  const file = `/var/crash/${stamp}/dmesg.${stamp}`;
  const there = await guestExec(g, ['test', '-s', file], undefined, RECORD_COPY_TIMEOUT_MS, env);
  if (there.exitCode !== 0) throw new Error(`${file} is missing after the copy`);
}
