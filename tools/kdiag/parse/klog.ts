// Kernel-log error patterns. One pattern per *kind of event*; the regexes
// are chosen so a single incident counts once where the kernel's wording allows.

export interface LogPattern {
  readonly id: string;
  readonly label: string;
  readonly regex: RegExp;
}

export const LOG_PATTERNS: readonly LogPattern[] = [
  { id: 'oops', label: 'Oops', regex: /\bOops\b/ },
  { id: 'bug', label: 'BUG:', regex: /\bBUG: / },
  { id: 'warning', label: 'WARNING:', regex: /\bWARNING: / },
  { id: 'call_trace', label: 'Call Trace', regex: /Call Trace:/ },
  // One "... out of memory: Killed process N" line per OOM kill (global or memcg).
  { id: 'oom_kill', label: 'Out of memory / oom-kill', regex: /[Oo]ut of memory: Kill(?:ed)? process/ },
  { id: 'hung_task', label: 'hung task (blocked for more than)', regex: /blocked for more than \d+ seconds/ },
  { id: 'soft_lockup', label: 'soft lockup', regex: /soft lockup/i },
  { id: 'hard_lockup', label: 'hard LOCKUP', regex: /hard LOCKUP/i },
  { id: 'rcu_stall', label: 'RCU stall', regex: /rcu.*detected stall/i },
  { id: 'segfault', label: 'segfault', regex: /segfault at / },
  { id: 'mce', label: 'MCE / hardware error', regex: /\bmce: |Machine check|\[Hardware Error\]/i },
];

export interface PatternHits {
  readonly id: string;
  readonly label: string;
  readonly count: number;
  /** The most recent matching lines, oldest first. */
  readonly latest: string[];
}

export function scanKernelLog(lines: readonly string[], latestPerPattern: number): PatternHits[] {
  return LOG_PATTERNS.map((p) => {
    const hits = lines.filter((l) => p.regex.test(l));
    return { id: p.id, label: p.label, count: hits.length, latest: hits.slice(-latestPerPattern) };
  });
}

/**
 * One /dev/kmsg record: "pri,seq,usec,flags[,...];message\n" followed by
 * optional " KEY=value" continuation lines. Returns "[secs] message" like dmesg.
 */
export function formatKmsgRecord(record: string): string | undefined {
  const semi = record.indexOf(';');
  if (semi < 0) return undefined;
  const [, , usec] = record.slice(0, semi).split(',');
  const message = (record.slice(semi + 1).split('\n')[0] ?? '').trimEnd();
  const secs = Number(usec ?? 0) / 1e6;
  return `[${secs.toFixed(6).padStart(12)}] ${message}`;
}
