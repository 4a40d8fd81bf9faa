// /proc/<pid>/stat (and /proc/<pid>/task/<tid>/stat). The comm field is in
// parentheses and may itself contain spaces or ')', so split at the LAST ')'.

export interface PidStat {
  readonly pid: number;
  readonly comm: string;
  /** One-letter state: R S D Z T t I X ... */
  readonly state: string;
  readonly ppid: number;
  /** User + system CPU time in USER_HZ ticks. */
  readonly cpuTicks: number;
}

export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); utime/stime are fields 14/15 -> rest[11], rest[12].
  const state = rest[0];
  if (state === undefined || rest.length < 13) return undefined;
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state,
    ppid: Number(rest[1]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
  };
}
