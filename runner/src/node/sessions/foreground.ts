// What runs in the foreground of the lab shell's terminal, read from the kernel
// rather than guessed from the screen: a terminal has one foreground process
// group (the `tpgid` of /proc/<pid>/stat). At the prompt it is the shell's own
// group; while `top` runs it is top's. Read inside the lab (container or VM)
// through the backend's exec, so it works the same for both.
import type { ForegroundProgram } from '../../common/protocol.ts';
import type { Session } from './session.ts';

/** A foreground query is one short exec; a lab that does not answer this fast is treated as "cannot tell". */
export const FOREGROUND_TIMEOUT_MS = 5_000;

/**
 * Prints /proc/<pid>/stat of every process that has a controlling terminal
 * (field 7, tty_nr, is not 0): the shells and whatever they run. Daemons and
 * kernel threads have none and are left out; so is this script (no terminal).
 */
export const FOREGROUND_SCRIPT = `for f in /proc/[0-9]*/stat; do
  IFS= read -r l < "$f" 2>/dev/null || continue
  set -- \${l##*) }
  [ "$5" != 0 ] && printf '%s\\n' "$l"
done
exit 0
`;

/** Shells: one at its own prompt in the foreground (a nested `bash`, `su -`) is waiting for typing. */
const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ash', 'ksh', 'mksh', 'busybox']);

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  tpgid: number;
}

/** One /proc/<pid>/stat line; null when it is not one. The name is between the first "(" and the last ")" (it may hold both). */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  const rest = line.slice(close + 1).trim().split(/\s+/);
  // After the name: state ppid pgrp session tty_nr tpgid …
  const [ppid, pgrp, session, ttyNr, tpgid] = rest.slice(1, 6).map(Number);
  const fields = [pid, ppid, pgrp, session, ttyNr, tpgid];
  if (fields.some((n) => n === undefined || !Number.isInteger(n))) return null;
  return { pid, comm: line.slice(open + 1, close), ppid: ppid!, pgrp: pgrp!, session: session!, ttyNr: ttyNr!, tpgid: tpgid! };
}

/**
 * The program in the foreground of a shell's terminal, or null when every
 * terminal's shell is at its prompt. A terminal's session leader (pid ==
 * session) is its shell; when the terminal's foreground group (tpgid) is not
 * the shell's group, a program has it — unless that program is itself a shell
 * alone in its group (a nested shell at its prompt).
 */
export function foregroundProgram(stats: readonly ProcStat[]): ForegroundProgram | null {
  for (const leader of stats.filter((p) => p.pid === p.session && p.ttyNr !== 0).sort((a, b) => a.pid - b.pid)) {
    if (leader.tpgid <= 0 || leader.tpgid === leader.pgrp) continue;
    const group = stats.filter((p) => p.pgrp === leader.tpgid).sort((a, b) => a.pid - b.pid);
    if (group.length === 0) continue; // the group ended between two reads
    const head = group.find((p) => p.pid === leader.tpgid) ?? group[0]!;
    if (SHELLS.has(head.comm) && group.length === 1) continue;
    // A script's shell leads its group: name what it runs now (its newest process that is not a shell).
    const named = SHELLS.has(head.comm) ? [...group].reverse().find((p) => !SHELLS.has(p.comm)) ?? head : head;
    return { pid: named.pid, name: named.comm };
  }
  return null;
}

export type ForegroundResult = { ok: true; program: ForegroundProgram | null } | { ok: false; message: string };

/** Asks the lab what runs in its shell's foreground. */
export async function queryForeground(session: Pick<Session, 'execScript'>): Promise<ForegroundResult> {
  const r = await session.execScript(FOREGROUND_SCRIPT, FOREGROUND_TIMEOUT_MS);
  if (!r.ok) return { ok: false, message: r.error.message };
  if (r.value.timedOut) return { ok: false, message: `the lab did not say what runs in its terminal within ${FOREGROUND_TIMEOUT_MS / 1000} s` };
  const stats = r.value.stdout.split('\n').map(parseProcStat).filter((p): p is ProcStat => p !== null);
  return { ok: true, program: foregroundProgram(stats) };
}
