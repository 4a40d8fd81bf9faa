// Shared pieces of generated bpftrace programs.
import type { TraceScope } from '../scope.ts';
import { LAB_TGID, inPidNamespace, scopeBeginStatements } from './pidns.ts';
import { STATE_MAP, STATE_START_NS } from './state.ts';

export interface TraceFilter {
  /** A process id as the lab sees it (ps, /run/*.pid), not the host's. */
  readonly pid?: number;
  readonly comm?: string;
}

/** END's report of the in-kernel tracing window, read back by trace.ts. */
const WINDOW_REPORT = /^ktrace-window-ns=(\d+)$/m;

/**
 * Predicate text for a probe, e.g. `/comm != "bpftrace" && (…lab's pid namespace…)/`.
 * bpftrace itself is always excluded: its own reads of the perf buffers would
 * otherwise show up in every result. Unless the scope is the whole host, only
 * tasks of the lab's pid namespace pass; a --pid is a lab pid, so it implies
 * that test even host-wide (a host task has no lab pid to compare).
 */
export function predicate(filter: TraceFilter, scope: TraceScope, extra: readonly string[] = []): string {
  const parts = ['comm != "bpftrace"', ...extra];
  if (!scope.hostWide || filter.pid !== undefined) parts.push(inPidNamespace(scope.pidNamespace));
  if (filter.pid !== undefined) parts.push(`${LAB_TGID} == ${filter.pid}`);
  // comm is validated by the CLI (no quotes/backslashes), so it can be embedded verbatim.
  if (filter.comm !== undefined) parts.push(`comm == "${filter.comm}"`);
  return `/${parts.join(' && ')}/`;
}

/**
 * BEGIN/interval/END around a mode's probes. BEGIN fires once all probes are
 * attached, so END reports the real tracing window (attaching can take
 * seconds); BEGIN also finds the lab's pid namespace (pidns.ts). `scratch`
 * maps (start timestamps etc.) are cleared so bpftrace does not print them at exit.
 */
export function wrapProgram(probes: string, seconds: number, scratch: readonly string[]): string {
  const clears = [STATE_MAP, ...scratch].map((m) => `clear(${m});`).join(' ');
  return `BEGIN { ${STATE_START_NS} = nsecs; ${scopeBeginStatements()} }
${probes.trim()}
interval:s:${seconds} { exit(); }
END { printf("ktrace-window-ns=%llu\\n", nsecs - ${STATE_START_NS}); ${clears} }
`;
}

/** The tracing window END reported, in ns; null if END did not run (bpftrace killed). */
export function tracedNsFrom(printed: readonly string[]): number | null {
  const m = printed.map((l) => WINDOW_REPORT.exec(l)).find((x) => x !== null);
  return m === undefined || m === null ? null : Number(m[1]);
}
