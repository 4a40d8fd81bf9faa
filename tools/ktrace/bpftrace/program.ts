// Shared pieces of generated bpftrace programs.

export interface TraceFilter {
  readonly pid?: number;
  readonly comm?: string;
}

/** Map holding the in-kernel tracing window, read back by trace.ts. */
export const TRACED_NS_MAP = '@traced_ns';

/**
 * Predicate text for a probe, e.g. `/pid == 42 && comm != "bpftrace"/`.
 * bpftrace itself is always excluded: its own reads of the perf buffers would
 * otherwise show up in every result.
 */
export function predicate(filter: TraceFilter, extra: readonly string[] = []): string {
  const parts = ['comm != "bpftrace"', ...extra];
  if (filter.pid !== undefined) parts.push(`pid == ${filter.pid}`);
  // comm is validated by the CLI (no quotes/backslashes), so it can be embedded verbatim.
  if (filter.comm !== undefined) parts.push(`comm == "${filter.comm}"`);
  return `/${parts.join(' && ')}/`;
}

/**
 * BEGIN/interval/END around a mode's probes. BEGIN fires once all probes are
 * attached, so @traced_ns is the real tracing window (attaching can take
 * seconds). `scratch` maps (start timestamps etc.) are cleared so bpftrace
 * does not print them at exit.
 */
export function wrapProgram(probes: string, seconds: number, scratch: readonly string[]): string {
  const clears = ['@trace_start_ns', ...scratch].map((m) => `clear(${m});`).join(' ');
  return `BEGIN { @trace_start_ns = nsecs; }
${probes.trim()}
interval:s:${seconds} { exit(); }
END { ${TRACED_NS_MAP} = nsecs - @trace_start_ns; ${clears} }
`;
}
