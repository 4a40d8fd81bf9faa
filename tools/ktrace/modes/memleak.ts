// ktrace memleak: kernel allocations (kmalloc, kmem_cache_alloc) matched with
// their frees by pointer; per process, what is still allocated at the end.
import { formatBytes, formatCount, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import { keyedNumbers, keyedStrings, type BpftraceOutput } from '../bpftrace/output.ts';
import { predicate, wrapProgram, type TraceFilter } from '../bpftrace/program.ts';
import { LAB_TGID, inPidNamespace } from '../bpftrace/pidns.ts';
import type { Analysis, ModeContext, ModeSpec } from './types.ts';

/**
 * Capacity of the pointer -> size map. bpftrace's default (4096) overflows
 * within a second on a busy box. bpftrace 0.17 gives every map of the program
 * this size (~80 bytes a slot, preallocated, charged to the lab's memory
 * limit): 128Ki slots make ~10 MiB a map, ~100 MiB for this program, which a
 * 256 MiB lab can afford; they hold far more live allocations than one lab
 * makes in a window.
 */
export const LIVE_MAP_ENTRIES = 131_072;

/**
 * Processes are keyed by host pid and lab pid packed into one number, so no
 * extra map is needed to translate (every map gets LIVE_MAP_ENTRIES slots, and
 * they are charged to the lab's memory limit). Pids are below 2^22
 * (PID_MAX_LIMIT), so the key stays below 2^44: exact in a JSON number.
 */
export const PID_BITS = 22;
const PID_SPAN = 2 ** PID_BITS;

/** Host pid and lab pid (0: not in the lab) from a packed process key. */
export function unpackProcessKey(key: number): { hostPid: number; labPid: number | null } {
  const lab = key % PID_SPAN;
  return { hostPid: Math.floor(key / PID_SPAN), labPid: lab === 0 ? null : lab };
}

export interface MemleakRow {
  /** The process id as the lab sees it; null for a process outside the lab (only with --all-host). */
  readonly pid: number | null;
  /** The id in the kernel's initial namespace (bpftrace's `pid`): what the host's ps shows. */
  readonly hostPid: number;
  readonly comm: string;
  readonly allocs: number;
  readonly allocBytes: number;
  readonly frees: number;
  readonly outstandingAllocs: number;
  readonly outstandingBytes: number;
}

export interface MemleakResult {
  readonly mode: 'memleak';
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  /** Rows may include processes outside the lab (--all-host). */
  readonly hostWide: boolean;
  readonly totalAllocs: number;
  readonly totalAllocBytes: number;
  readonly totalOutstandingBytes: number;
  /** Frees of memory allocated before tracing started (cannot be attributed). */
  readonly unmatchedFrees: number;
  /** Largest outstanding bytes first. */
  readonly suspects: MemleakRow[];
}

export function memleakProgram(ctx: ModeContext): string {
  // Filters apply to the allocation side only: a free must always be matched,
  // whichever task (often an RCU callback or kworker) performs it.
  const labPid = ctx.scope.hostWide
    ? `$lab = (uint64)0; if (${inPidNamespace(ctx.scope.pidNamespace)}) { $lab = (uint64)${LAB_TGID}; }`
    : `$lab = (uint64)${LAB_TGID};`;
  return wrapProgram(
    `
tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc ${predicate(ctx.filter, ctx.scope, ['args->ptr != 0'])} {
  $p = (uint64)args->ptr;
  ${labPid}
  $k = (pid << ${PID_BITS}) | $lab;
  @live[$p] = args->bytes_alloc;
  @owner[$p] = $k;
  @comm[$k] = comm;
  @allocs[$k] = count();
  @alloc_bytes[$k] = sum(args->bytes_alloc);
  @outstanding[$k] = sum(args->bytes_alloc);
}
tracepoint:kmem:kfree, tracepoint:kmem:kmem_cache_free /args->ptr != 0/ {
  $p = (uint64)args->ptr;
  $size = @live[$p];
  if ($size > 0) {
    $o = @owner[$p];
    @frees[$o] = count();
    @outstanding[$o] = sum(-$size);
    delete(@live[$p]);
    delete(@owner[$p]);
  } else {
    @unmatched_frees = count();
  }
}
`,
    ctx.durationSeconds,
    ['@live', '@owner'],
  );
}

export function interpretMemleak(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext): MemleakResult {
  const allocs = keyedNumbers(out, '@allocs');
  const allocBytes = keyedNumbers(out, '@alloc_bytes');
  const frees = keyedNumbers(out, '@frees');
  const outstanding = keyedNumbers(out, '@outstanding');
  const comms = keyedStrings(out, '@comm');
  const unmatched = out.maps.get('@unmatched_frees');

  const rows: MemleakRow[] = [...allocs].map(([key, n]) => {
    const f = frees.get(key) ?? 0;
    const { hostPid, labPid } = unpackProcessKey(Number(key));
    return {
      pid: labPid,
      hostPid,
      comm: comms.get(key) ?? '?',
      allocs: n,
      allocBytes: allocBytes.get(key) ?? 0,
      frees: f,
      outstandingAllocs: n - f,
      outstandingBytes: outstanding.get(key) ?? 0,
    };
  });
  rows.sort((a, b) => b.outstandingBytes - a.outstandingBytes || b.allocs - a.allocs);
  return {
    mode: 'memleak',
    tracedSeconds,
    filter: ctx.filter,
    hostWide: ctx.scope.hostWide,
    totalAllocs: rows.reduce((s, r) => s + r.allocs, 0),
    totalAllocBytes: rows.reduce((s, r) => s + r.allocBytes, 0),
    totalOutstandingBytes: rows.reduce((s, r) => s + r.outstandingBytes, 0),
    unmatchedFrees: typeof unmatched === 'number' ? unmatched : 0,
    suspects: rows.slice(0, ctx.top),
  };
}

export function renderMemleak(r: MemleakResult, st: Style): string[] {
  const lines = [
    `  ${formatCount(r.totalAllocs)} allocations (${formatBytes(r.totalAllocBytes)}) in ${r.tracedSeconds.toFixed(1)} s; ` +
      `${formatBytes(r.totalOutstandingBytes)} still allocated at the end; ${formatCount(r.unmatchedFrees)} frees of older memory`,
  ];
  if (r.suspects.length === 0) return [...lines, st.yellow('  no allocations matched the filter')];
  lines.push(st.bold('  leak suspects (largest outstanding first):'));
  // Host pids are shown only host-wide, in their own column: never as if the lab could use them.
  const pids = (s: MemleakRow) => (r.hostWide ? [s.pid === null ? '-' : String(s.pid), String(s.hostPid)] : [s.pid === null ? '?' : String(s.pid)]);
  lines.push(
    table(
      [...(r.hostWide ? ['lab pid', 'host pid'] : ['pid']), 'comm', 'allocs', 'alloc bytes', 'frees', 'outstanding', 'outstanding bytes'],
      r.suspects.map((s) => [...pids(s), s.comm, formatCount(s.allocs), formatBytes(s.allocBytes), formatCount(s.frees), formatCount(s.outstandingAllocs), formatBytes(s.outstandingBytes)]),
      [...(r.hostWide ? (['right', 'right'] as const) : (['right'] as const)), 'left', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  return lines;
}

export const memleakMode: ModeSpec = {
  name: 'memleak',
  summary: 'kernel allocations vs frees per process; largest outstanding = leak suspects',
  tracepoints: [
    { category: 'kmem', name: 'kmalloc' },
    { category: 'kmem', name: 'kfree' },
    { category: 'kmem', name: 'kmem_cache_alloc' },
    { category: 'kmem', name: 'kmem_cache_free' },
  ],
  missingHint: 'kmem tracepoints are missing: use kmemleak (CONFIG_DEBUG_KMEMLEAK, /sys/kernel/debug/kmemleak) or watch `slabtop` / /proc/slabinfo growth',
  env: { BPFTRACE_MAP_KEYS_MAX: String(LIVE_MAP_ENTRIES) },
  caveat: 'outstanding = allocated during the window and not yet freed; caches (dentries, inodes) look like this too. A real leak keeps growing across repeated runs.',
  program: memleakProgram,
  analyze(out, tracedSeconds, ctx): Analysis {
    const data = interpretMemleak(out, tracedSeconds, ctx);
    return { data, render: (st) => renderMemleak(data, st) };
  },
};
