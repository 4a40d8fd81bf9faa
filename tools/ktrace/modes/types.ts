// What each ktrace mode provides: the tracepoints it needs, the bpftrace
// program text, and how to turn bpftrace's maps into a result.
import type { Style } from '../../common/style.ts';
import type { BpftraceOutput } from '../bpftrace/output.ts';
import type { TraceFilter } from '../bpftrace/program.ts';
import type { Tracepoint } from '../preflight.ts';
import type { TraceScope } from '../scope.ts';
import type { SymbolResolver } from '../kallsyms.ts';

/** ktrace memleak's own options. */
export interface MemleakOptions {
  /** Attribute to the allocating process (default) or to the kernel code that allocated. */
  readonly by: 'process' | 'call-site';
  /** --size: only allocations of this slab size class (bytes_alloc). */
  readonly size?: number;
  /** --max-live: slots of the pointer map (and, in bpftrace 0.17, of every map). */
  readonly maxLive: number;
}

export interface ModeContext {
  readonly durationSeconds: number;
  readonly filter: TraceFilter;
  /** This lab's processes, or the whole host. */
  readonly scope: TraceScope;
  /** Rows to show in top-N tables. */
  readonly top: number;
  /** memleak's options; absent: per process, default sizes. */
  readonly memleak?: MemleakOptions;
  /** Names kernel addresses, after tracing (absent: addresses stay raw). */
  readonly kernelSymbols?: SymbolResolver;
}

export interface Analysis {
  /** JSON-serialisable result (printed by --json under "result"). */
  readonly data: object;
  render(st: Style): string[];
}

export interface ModeSpec {
  readonly name: string;
  readonly summary: string;
  readonly tracepoints: readonly Tracepoint[];
  /** What to use instead when the tracepoints are missing. */
  readonly missingHint: string;
  /** Extra environment for bpftrace (e.g. larger maps). */
  env?(ctx: ModeContext): Readonly<Record<string, string>>;
  /** Note printed under the result: how to read it, its main caveat. */
  readonly caveat: string;
  program(ctx: ModeContext): string;
  analyze(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext): Analysis;
}
