// Shared pieces of generated bpftrace programs.
import type { TraceScope } from '../scope.ts';
import { LAB_TGID, inPidNamespace, scopeBeginStatements } from './pidns.ts';

export interface TraceFilter {
  /** A process id as the lab sees it (ps, /run/*.pid), not the host's. */
  readonly pid?: number;
  readonly comm?: string;
}

/** Map holding the in-kernel tracing window, read back by trace.ts. */
export const TRACED_NS_MAP = '@traced_ns';

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
 * attached, so @traced_ns is the real tracing window (attaching can take
 * seconds); it also records the lab's pid namespace level (pidns.ts). `scratch`
 * maps (start timestamps etc.) are cleared so bpftrace does not print them at exit.
 */
export function wrapProgram(probes: string, seconds: number, scratch: readonly string[]): string {
  const clears = ['@trace_start_ns', ...scratch].map((m) => `clear(${m});`).join(' ');
  return `BEGIN { @trace_start_ns = nsecs; ${scopeBeginStatements()} }
${probes.trim()}
interval:s:${seconds} { exit(); }
END { ${TRACED_NS_MAP} = nsecs - @trace_start_ns; ${clears} }
`;
}
