// The kdump-style crash record of a guest panic: the console's last words saved
// on the host (<session>/crash/console.<stamp>) at the panic, and
// /var/crash/<stamp>/dmesg.<stamp> written into the guest once it is back,
// with the memory dump beside it as /var/crash/<stamp>/dump.<stamp> (kdump-tools'
// names) when the runner took one (vmcore.ts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_PATH, guestExec, writeGuestFile, type GuestContext } from './guest-exec.ts';
import { crashStamp } from './vm-console.ts';
import { guestCopyCommand } from './vmcore.ts';

/** Each guest step of writing the record is small; this bounds one on a struggling guest. */
const RECORD_STEP_TIMEOUT_MS = 10_000;
/** Copying a dump (tens to hundreds of MiB) off the crash disk on a TCG guest. */
const DUMP_COPY_TIMEOUT_MS = 180_000;

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
 * Writes /var/crash/<stamp>/dmesg.<stamp> (mode 0644, like kdump) into the
 * guest and syncs it; then, when a dump of `dumpBytes` is on the crash disk,
 * copies it to /var/crash/<stamp>/dump.<stamp> (mode 0600).
 */
export async function writeCrashRecord(g: GuestContext, stamp: string, dmesg: string, dumpBytes: number | null = null): Promise<void> {
  const dir = `/var/crash/${stamp}`;
  const file = `${dir}/dmesg.${stamp}`;
  const env = { PATH: GUEST_PATH };
  const mk = await guestExec(g, ['sh', '-c', 'mkdir -p "$1" && install -m 0644 /dev/null "$2"', 'sh', dir, file], undefined, RECORD_STEP_TIMEOUT_MS, env);
  if (mk.exitCode !== 0) throw new Error(`creating ${file}: ${mk.stderr.trim()}`);
  if (!g.agent) throw new Error('the guest agent is gone');
  await writeGuestFile(g.agent, file, Buffer.from(dmesg, 'utf8'));
  await guestExec(g, ['sync'], undefined, RECORD_STEP_TIMEOUT_MS, env); // the learner may crash it again soon
  if (dumpBytes === null) return;
  const dump = `${dir}/dump.${stamp}`;
  const cp = await guestExec(g, guestCopyCommand(dumpBytes, dump), undefined, DUMP_COPY_TIMEOUT_MS, env);
  if (cp.exitCode !== 0) throw new Error(`copying the memory dump to ${dump}: ${cp.stderr.trim() || `exit ${cp.exitCode}`}`);
}
