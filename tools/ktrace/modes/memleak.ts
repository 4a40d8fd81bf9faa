// ktrace memleak: kernel allocations (kmalloc, kmem_cache_alloc) matched with
// their frees by pointer; per process (default) or per kernel call site
// (--by call-site), what is still allocated at the end.
import { formatBytes, formatCount, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import { keyedNumbers, keyedStrings, type BpftraceOutput } from '../bpftrace/output.ts';
import { predicate, wrapProgram, type TraceFilter } from '../bpftrace/program.ts';
import { LAB_TGID, inPidNamespace } from '../bpftrace/pidns.ts';
import { hexAddress, unresolved, type SymbolResolver } from '../kallsyms.ts';
import { INITIAL_PID_NS_INODE } from '../scope.ts';
import type { Analysis, MemleakOptions, ModeContext, ModeSpec } from './types.ts';

/**
 * Capacity of the pointer -> size map (--max-live), between these bounds.
 * bpftrace's default (4096) overflows within a second on a busy box; an
 * allocation that finds the map full is counted but cannot be matched with its
 * free (reported as "untracked"). bpftrace 0.17 gives EVERY map of the program
 * this size (BPFTRACE_MAP_KEYS_MAX), preallocated, charged to the memory
 * cgroup (kernel >= 5.11) and created, walked and torn down at start and exit.
 * The old fixed 128Ki slots (~10 maps, ~100 MiB) measured here: 2.1-3.2 s to
 * attach whatever the size, but 1.7 s to print and tear down after the window
 * against 0.9 s for 16Ki and 0.5 s for 4Ki; on a TCG-emulated VM lab
 * (10-30x slower) the program did not attach within 60 s. So the default
 * follows the memory the maps are charged to (see defaultMaxLive).
 */
export const MIN_LIVE_ENTRIES = 8_192;
export const MAX_LIVE_ENTRIES = 131_072;
/** Upper bound for an explicit --max-live: 1Mi slots x ~10 maps is already ~1 GiB. */
export const MAX_LIVE_LIMIT = 1_048_576;
/**
 * Estimated bytes one slot costs across the program's maps: ~10 maps at
 * ~100 bytes (hash element, 8-byte key and value, per-CPU values for count/sum).
 */
const BYTES_PER_SLOT = 1024;
/** Share of the memory the maps may take: 1/32 (8 MiB of a 256 MiB lab, 32Ki slots at 1 GiB). */
const MEMORY_SHARE = 32;

/**
 * Default --max-live: 1/32 of the memory the maps are charged to (the lab's
 * cgroup limit if lower than MemTotal), at BYTES_PER_SLOT a slot, rounded
 * down to a power of two and kept within MIN/MAX_LIVE_ENTRIES. 256 MiB ->
 * 8Ki, 1 GiB -> 32Ki, 4 GiB and up -> 128Ki.
 */
export function defaultMaxLive(memTotalBytes: number | null, cgroupLimitBytes: number | null): number {
  const limits = [memTotalBytes, cgroupLimitBytes].filter((n): n is number => n !== null && Number.isFinite(n) && n > 0);
  if (limits.length === 0) return MIN_LIVE_ENTRIES * 2;
  const slots = Math.min(...limits) / MEMORY_SHARE / BYTES_PER_SLOT;
  const pow2 = slots >= 1 ? 2 ** Math.floor(Math.log2(slots)) : 1;
  return Math.min(MAX_LIVE_ENTRIES, Math.max(MIN_LIVE_ENTRIES, pow2));
}

export const DEFAULT_MEMLEAK_OPTIONS: MemleakOptions = { by: 'process', maxLive: MIN_LIVE_ENTRIES * 2 };
const optionsOf = (ctx: ModeContext): MemleakOptions => ctx.memleak ?? DEFAULT_MEMLEAK_OPTIONS;

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
  readonly by: 'process';
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  /** Rows may include processes outside the lab (--all-host). */
  readonly hostWide: boolean;
  readonly totalAllocs: number;
  readonly totalAllocBytes: number;
  readonly totalOutstandingBytes: number;
  /** Frees of memory allocated before tracing started (cannot be attributed). */
  readonly unmatchedFrees: number;
  /** Allocations that found the live map full (--max-live): their frees could not be matched. */
  readonly untrackedAllocs: number;
  readonly maxLive: number;
  /** --size: only this slab size class was counted. */
  readonly sizeClass: number | null;
  /** Largest outstanding bytes first. */
  readonly suspects: MemleakRow[];
}

/** The allocation probes' predicate: scope, --pid/--comm, and --size (bytes_alloc: the slab size class). */
function allocPredicate(ctx: ModeContext): string {
  const size = optionsOf(ctx).size;
  return predicate(ctx.filter, ctx.scope, ['args->ptr != 0', ...(size !== undefined ? [`args->bytes_alloc == ${size}`] : [])]);
}

/**
 * After storing into @live: a lookup that finds nothing means the map was full
 * (a hash map refuses new keys then). bytes_alloc is never 0 for a real object.
 */
const UNTRACKED_CHECK = 'if (@live[$p] == 0) { @untracked = count(); }';

export function memleakProgram(ctx: ModeContext): string {
  return optionsOf(ctx).by === 'call-site' ? callSiteProgram(ctx) : processProgram(ctx);
}

function processProgram(ctx: ModeContext): string {
  // Filters apply to the allocation side only: a free must always be matched,
  // whichever task (often an RCU callback or kworker) performs it.
  const labPid = ctx.scope.hostWide
    ? `$lab = (uint64)0; if (${inPidNamespace(ctx.scope.pidNamespace)}) { $lab = (uint64)${LAB_TGID}; }`
    : `$lab = (uint64)${LAB_TGID};`;
  return wrapProgram(
    `
tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc ${allocPredicate(ctx)} {
  $p = (uint64)args->ptr;
  ${labPid}
  $k = (pid << ${PID_BITS}) | $lab;
  @live[$p] = args->bytes_alloc;
  ${UNTRACKED_CHECK}
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

/**
 * Keyed by the allocating kernel code (args->call_site, the return address
 * into the caller of kmalloc/kmem_cache_alloc) and the slab size class
 * (bytes_alloc: 192 for a 176-byte struct from kmalloc-192). Allocation bytes
 * are allocs x size class, so no byte sums are kept: fewer maps, each of
 * --max-live slots. The scope filter still applies to the task the allocation
 * ran in (the lab's pid namespace; in a VM lab that is every task).
 */
function callSiteProgram(ctx: ModeContext): string {
  return wrapProgram(
    `
tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc ${allocPredicate(ctx)} {
  $p = (uint64)args->ptr;
  @live[$p] = args->bytes_alloc;
  ${UNTRACKED_CHECK}
  @site[$p] = args->call_site;
  @allocs[args->call_site, args->bytes_alloc] = count();
}
tracepoint:kmem:kfree, tracepoint:kmem:kmem_cache_free /args->ptr != 0/ {
  $p = (uint64)args->ptr;
  $size = @live[$p];
  if ($size > 0) {
    @frees[@site[$p], $size] = count();
    delete(@live[$p]);
    delete(@site[$p]);
  } else {
    @unmatched_frees = count();
  }
}
`,
    ctx.durationSeconds,
    ['@live', '@site'],
  );
}

const scalar = (out: BpftraceOutput, name: string) => {
  const v = out.maps.get(name);
  return typeof v === 'number' ? v : 0;
};

export function interpretMemleak(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext): MemleakResult {
  const allocs = keyedNumbers(out, '@allocs');
  const allocBytes = keyedNumbers(out, '@alloc_bytes');
  const frees = keyedNumbers(out, '@frees');
  const outstanding = keyedNumbers(out, '@outstanding');
  const comms = keyedStrings(out, '@comm');

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
    by: 'process',
    tracedSeconds,
    filter: ctx.filter,
    hostWide: ctx.scope.hostWide,
    totalAllocs: rows.reduce((s, r) => s + r.allocs, 0),
    totalAllocBytes: rows.reduce((s, r) => s + r.allocBytes, 0),
    totalOutstandingBytes: rows.reduce((s, r) => s + r.outstandingBytes, 0),
    unmatchedFrees: scalar(out, '@unmatched_frees'),
    untrackedAllocs: scalar(out, '@untracked'),
    maxLive: optionsOf(ctx).maxLive,
    sizeClass: optionsOf(ctx).size ?? null,
    suspects: rows.slice(0, ctx.top),
  };
}

export interface MemleakSiteRow {
  /** The return address into the allocating function, in hex (exact: a JSON number cannot hold it). */
  readonly callSite: string;
  /** "kvc_req_new+0x2a [kvcache]", or the hex address when /proc/kallsyms is unreadable. */
  readonly symbol: string;
  readonly function: string | null;
  /** null: built into the kernel image (or unknown). */
  readonly module: string | null;
  /** bytes_alloc: the slab object size, e.g. 192 for kmalloc-192. */
  readonly sizeClass: number;
  readonly allocs: number;
  readonly allocBytes: number;
  readonly frees: number;
  readonly outstandingAllocs: number;
  readonly outstandingBytes: number;
}

export interface MemleakSitesResult {
  readonly mode: 'memleak';
  readonly by: 'call-site';
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  readonly hostWide: boolean;
  /** Whose allocations were counted, in words (the header line). */
  readonly coverage: string;
  readonly totalAllocs: number;
  readonly totalAllocBytes: number;
  readonly totalOutstandingBytes: number;
  readonly unmatchedFrees: number;
  readonly untrackedAllocs: number;
  readonly maxLive: number;
  readonly sizeClass: number | null;
  /** Whether call sites could be named (/proc/kallsyms readable with real addresses). */
  readonly symbolised: boolean;
  /** Largest outstanding bytes first. */
  readonly sites: MemleakSiteRow[];
}

/**
 * A call site is kernel code: it allocates in whichever task calls it (a
 * learner's request, a kworker, an interrupt that happened to land on some
 * task). Which of those were counted is said in words, never left implied.
 */
export function callSiteCoverage(ctx: ModeContext): string {
  const f = ctx.filter;
  const narrowed = [...(f.pid !== undefined ? [`pid ${f.pid}`] : []), ...(f.comm !== undefined ? [`comm ${f.comm}`] : [])];
  const size = optionsOf(ctx).size;
  const sizeText = size !== undefined ? `; only the ${size}-byte size class (--size)` : '';
  if (narrowed.length > 0) return `call sites: only allocations made while ${narrowed.join(', ')} ran (frees by anyone)${sizeText}`;
  if (ctx.scope.hostWide) return `call sites: WHOLE HOST: allocations made in any task's context on this kernel, other labs included${sizeText}`;
  if (ctx.scope.pidNamespace === INITIAL_PID_NS_INODE) {
    return `call sites: kernel-wide (this VM): allocations made in any task's context, kworkers and interrupts included${sizeText}`;
  }
  return `call sites: only allocations made while this lab's tasks ran; kernel threads working for it (kworkers, softirqs) are not counted, --all-host counts them${sizeText}`;
}

/** A two-key map's key "ADDRESS,SIZE" (the address as an unsigned decimal, beyond 2^53). */
function splitSiteKey(key: string): { site: bigint; size: number } | null {
  const m = /^(-?\d+),(\d+)$/.exec(key.trim());
  if (m === null) return null;
  return { site: BigInt.asUintN(64, BigInt(m[1] ?? '0')), size: Number(m[2]) };
}

export function interpretMemleakSites(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext, resolve: SymbolResolver): MemleakSitesResult {
  const allocs = keyedNumbers(out, '@allocs');
  const frees = keyedNumbers(out, '@frees');
  // Keys are re-made from BigInt so "ADDR,SIZE" compare equal however they were printed.
  const norm = (key: string) => {
    const k = splitSiteKey(key);
    return k === null ? null : `${k.site},${k.size}`;
  };
  const freeCounts = new Map<string, number>();
  for (const [key, n] of frees) {
    const k = norm(key);
    if (k !== null) freeCounts.set(k, (freeCounts.get(k) ?? 0) + n);
  }
  const counted: (Omit<MemleakSiteRow, 'symbol' | 'function' | 'module'> & { site: bigint })[] = [];
  for (const [key, n] of allocs) {
    const k = splitSiteKey(key);
    if (k === null) continue;
    const f = Math.min(n, freeCounts.get(`${k.site},${k.size}`) ?? 0);
    counted.push({ site: k.site, callSite: hexAddress(k.site), sizeClass: k.size, allocs: n, allocBytes: n * k.size, frees: f, outstandingAllocs: n - f, outstandingBytes: (n - f) * k.size });
  }
  counted.sort((a, b) => b.outstandingBytes - a.outstandingBytes || b.allocs - a.allocs);
  const shown = counted.slice(0, ctx.top);
  // Only the rows shown are named: resolving is a pass over /proc/kallsyms per address.
  const names = resolve(shown.map((r) => r.site));
  const sites: MemleakSiteRow[] = shown.map(({ site, ...r }) => {
    const where = names?.get(site) ?? unresolved(site);
    return { callSite: r.callSite, symbol: where.label, function: where.function, module: where.module, sizeClass: r.sizeClass, allocs: r.allocs, allocBytes: r.allocBytes, frees: r.frees, outstandingAllocs: r.outstandingAllocs, outstandingBytes: r.outstandingBytes };
  });
  const rows = counted;
  return {
    mode: 'memleak',
    by: 'call-site',
    tracedSeconds,
    filter: ctx.filter,
    hostWide: ctx.scope.hostWide,
    coverage: callSiteCoverage(ctx),
    totalAllocs: rows.reduce((s, r) => s + r.allocs, 0),
    totalAllocBytes: rows.reduce((s, r) => s + r.allocBytes, 0),
    totalOutstandingBytes: rows.reduce((s, r) => s + r.outstandingBytes, 0),
    unmatchedFrees: scalar(out, '@unmatched_frees'),
    untrackedAllocs: scalar(out, '@untracked'),
    maxLive: optionsOf(ctx).maxLive,
    sizeClass: optionsOf(ctx).size ?? null,
    symbolised: names !== null,
    sites,
  };
}

/** Said whenever the live map overflowed: outstanding figures are then too high. */
function untrackedLine(r: { untrackedAllocs: number; maxLive: number }, st: Style): string[] {
  if (r.untrackedAllocs === 0) return [];
  return [
    st.yellow(
      `  ${formatCount(r.untrackedAllocs)} allocations found the live map full (--max-live ${r.maxLive}): their frees could not be matched, ` +
        'so outstanding figures are too high; use a larger --max-live, a shorter --duration or --size',
    ),
  ];
}

function summaryLine(r: MemleakResult | MemleakSitesResult): string {
  return (
    `  ${formatCount(r.totalAllocs)} allocations (${formatBytes(r.totalAllocBytes)}) in ${r.tracedSeconds.toFixed(1)} s; ` +
    `${formatBytes(r.totalOutstandingBytes)} still allocated at the end; ${formatCount(r.unmatchedFrees)} frees of older memory`
  );
}

export function renderMemleakSites(r: MemleakSitesResult, st: Style): string[] {
  const lines = [r.hostWide ? st.bold(st.yellow(`  ${r.coverage}`)) : st.bold(`  ${r.coverage}`), summaryLine(r), ...untrackedLine(r, st)];
  if (r.sites.length === 0) return [...lines, st.yellow('  no allocations matched the filter')];
  lines.push(st.bold('  leak suspects by call site (largest outstanding first; size = slab object size, e.g. 192 = kmalloc-192):'));
  lines.push(
    table(
      ['call site', 'size', 'allocs', 'frees', 'outstanding', 'outstanding bytes'],
      r.sites.map((s) => [s.symbol, String(s.sizeClass), formatCount(s.allocs), formatCount(s.frees), formatCount(s.outstandingAllocs), formatBytes(s.outstandingBytes)]),
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  if (!r.symbolised) lines.push(st.yellow('  call sites are raw addresses: /proc/kallsyms shows no addresses here (kptr_restrict, or no CAP_SYSLOG); as root: grep -i FUNCTION /proc/kallsyms'));
  return lines;
}

export function renderMemleak(r: MemleakResult, st: Style): string[] {
  const lines = [
    ...(r.sizeClass !== null ? [`  only the ${r.sizeClass}-byte size class (--size)`] : []),
    summaryLine(r),
    ...untrackedLine(r, st),
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
  summary: 'kernel allocations vs frees per process (or --by call-site); largest outstanding = leak suspects',
  tracepoints: [
    { category: 'kmem', name: 'kmalloc' },
    { category: 'kmem', name: 'kfree' },
    { category: 'kmem', name: 'kmem_cache_alloc' },
    { category: 'kmem', name: 'kmem_cache_free' },
  ],
  missingHint: 'kmem tracepoints are missing: use kmemleak (CONFIG_DEBUG_KMEMLEAK, /sys/kernel/debug/kmemleak) or watch `slabtop` / /proc/slabinfo growth',
  env: (ctx) => ({ BPFTRACE_MAP_KEYS_MAX: String(optionsOf(ctx).maxLive) }),
  caveat: 'outstanding = allocated during the window and not yet freed; caches (dentries, inodes) look like this too. A real leak keeps growing across repeated runs.',
  program: memleakProgram,
  analyze(out, tracedSeconds, ctx): Analysis {
    if (optionsOf(ctx).by === 'call-site') {
      const sites = interpretMemleakSites(out, tracedSeconds, ctx, ctx.kernelSymbols ?? (() => null));
      return { data: sites, render: (st) => renderMemleakSites(sites, st) };
    }
    const data = interpretMemleak(out, tracedSeconds, ctx);
    return { data, render: (st) => renderMemleak(data, st) };
  },
};
