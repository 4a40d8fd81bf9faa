// ktrace command line.
import { UsageError, flagSet, flagString, formatFlagHelp, numberInRange, parseArgs, type FlagSpecs } from '../common/args.ts';
import type { TraceFilter } from './bpftrace/program.ts';
import { MODES, findMode } from './modes/index.ts';
import type { MemleakOptions, ModeSpec } from './modes/types.ts';
import { MAX_LIVE_LIMIT } from './modes/memleak.ts';

/** Default tracing window: long enough for stable rates, short enough for an interactive lab. */
export const DEFAULT_DURATION_S = 5;
const MAX_DURATION_S = 3600;
/** Rows in top-N tables by default. */
export const DEFAULT_TOP = 10;
const MAX_TOP = 1000;
/** The kernel truncates comm to 15 characters (TASK_COMM_LEN - 1). */
const COMM_MAX = 15;
const PID_MAX = 4_194_304; // PID_MAX_LIMIT on 64-bit
/** The subcommand that draws perf's stacks (tools/ktrace/flame), apart from the bpftrace modes. */
export const FLAME_COMMAND = 'flame';

export const FLAGS: FlagSpecs = {
  duration: { kind: 'integer', metavar: 'SECONDS', help: `how long to trace (default ${DEFAULT_DURATION_S})` },
  pid: { kind: 'integer', metavar: 'PID', help: 'only trace this process (its pid as this shell sees it, e.g. from ps)' },
  comm: { kind: 'string', metavar: 'NAME', help: `only trace tasks with this name (max ${COMM_MAX} chars, as in /proc/PID/comm)` },
  'all-host': { kind: 'boolean', help: "count every process on the host, other labs included (default: only this lab's)" },
  top: { kind: 'integer', metavar: 'N', help: `rows in top-N tables (default ${DEFAULT_TOP})` },
  json: { kind: 'boolean', help: 'print the result as JSON (and save it as charts for the lab page)' },
  save: { kind: 'boolean', help: 'save the result as charts for the lab page (the default with --json)' },
  'no-save': { kind: 'boolean', help: 'with --json: do not save charts' },
  by: { kind: 'string', metavar: 'process|call-site', help: 'memleak: attribute to the allocating process (default) or to the kernel code that allocated' },
  size: { kind: 'integer', metavar: 'BYTES', help: 'memleak: only this slab size class (bytes_alloc), e.g. 192 for kmalloc-192' },
  'max-live': { kind: 'integer', metavar: 'N', help: 'memleak: allocations tracked at once (default: scaled to memory, 8192-131072)' },
  'print-program': { kind: 'boolean', help: 'print the generated bpftrace program and exit (no root needed)' },
  help: { kind: 'boolean', help: 'show this help' },
};

export interface KtraceOptions {
  readonly mode: ModeSpec | null;
  readonly durationSeconds: number;
  readonly filter: TraceFilter;
  /** --all-host: no pid-namespace filter. */
  readonly hostWide: boolean;
  readonly top: number;
  readonly json: boolean;
  /** Save the result as a charts picture: --save, or --json without --no-save. */
  readonly save: boolean;
  /** --save was asked for by name: failing to save is then a failure. */
  readonly saveAsked: boolean;
  readonly printProgram: boolean;
  readonly help: boolean;
  /** memleak's options as given; maxLive undefined: the default scaled to memory (main.ts). */
  readonly memleak: Omit<MemleakOptions, 'maxLive'> & { readonly maxLive?: number };
}

const MEMLEAK_FLAGS = ['by', 'size', 'max-live'] as const;
/** Largest bytes_alloc: a kmalloc beyond the slab caches comes from the page allocator (up to 4 MiB at order 10). */
const MAX_SIZE_CLASS = 1 << 30;

function parseMemleakOptions(flags: ReturnType<typeof parseArgs>['flags'], mode: ModeSpec | null): KtraceOptions['memleak'] {
  const given = MEMLEAK_FLAGS.filter((f) => flags.has(f));
  if (given.length > 0 && mode !== null && mode.name !== 'memleak') throw new UsageError(`option '--${given[0] ?? ''}' is for memleak only`);
  const by = flagString(flags, 'by') ?? 'process';
  if (by !== 'process' && by !== 'call-site') throw new UsageError(`option '--by' must be process or call-site, got '${by}'`);
  const size = flags.has('size') ? numberInRange(flags, 'size', 0, 1, MAX_SIZE_CLASS) : undefined;
  const maxLive = flags.has('max-live') ? numberInRange(flags, 'max-live', 0, 1024, MAX_LIVE_LIMIT) : undefined;
  return { by, ...(size !== undefined ? { size } : {}), ...(maxLive !== undefined ? { maxLive } : {}) };
}

export function helpText(): string {
  const width = Math.max(...MODES.map((m) => m.name.length));
  return [
    'ktrace - kernel tracing with bpftrace on stable tracepoints (no kprobes needed)',
    '',
    'usage: ktrace MODE [--duration SECONDS] [--pid PID] [--comm NAME] [--all-host] [--top N] [--json] [--save | --no-save]',
    '       ktrace memleak [--by process|call-site] [--size BYTES] [--max-live N] [other options]',
    '',
    'modes:',
    ...MODES.map((m) => `  ${m.name.padEnd(width)}  ${m.summary}`),
    `  ${FLAME_COMMAND.padEnd(width)}  flame graph of perf call stacks, SVG or text (see ktrace flame --help)`,
    '',
    'options:',
    formatFlagHelp(FLAGS),
    '',
    "Counts only this lab's processes (those in ktrace's own pid namespace): tracepoints fire",
    'for the whole host, and other labs may run on it. --all-host counts everything, and says so.',
    'memleak --by call-site names the kernel code that allocated (e.g. a module function): such code',
    "runs in any task's context, so in a VM lab it counts the whole VM (the header says whose allocations",
    'counted); --size 192 keeps one kmalloc-192 cache. In a VM without KVM bpftrace takes minutes to start:',
    '"attaching probes… (N s)" lines on stderr show it is working.',
    'Needs root, bpftrace, and tracefs mounted at /sys/kernel/tracing.',
    '',
    'With --json (or --save) a successful trace is also saved as charts in the lab\'s picture spool',
    '(/var/lib/kdlabs/pictures, or $KDLABS_PICTURE_SPOOL), which the lab page draws; stderr says',
    '"ktrace: picture saved: PATH". The file stays on this machine: the runner reads it from here',
    'for your page only. --no-save leaves it out.',
    'Exit status: 0 traced, 1 could not trace (missing prerequisite or bpftrace error) or save (--save),',
    '2 bad usage.',
    '',
  ].join('\n');
}

export function parseKtraceArgs(argv: readonly string[]): KtraceOptions {
  const { positionals, flags } = parseArgs(argv, FLAGS);
  const help = flagSet(flags, 'help');
  const valid = MODES.map((m) => m.name).join(', ');
  const [modeName, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ''}' (give one mode: ${valid})`);
  const mode = modeName === undefined ? null : findMode(modeName);
  if (mode === undefined) throw new UsageError(`unknown mode '${modeName ?? ''}' (valid modes: ${valid})`);
  if (mode === null && !help) throw new UsageError(`missing mode (valid modes: ${valid})`);

  const comm = flagString(flags, 'comm');
  if (comm !== undefined && (comm.length > COMM_MAX || /["\\\n]/.test(comm))) {
    throw new UsageError(`option '--comm' must be at most ${COMM_MAX} characters without quotes or backslashes, got '${comm}'`);
  }
  const pid = flags.has('pid') ? numberInRange(flags, 'pid', 0, 1, PID_MAX) : undefined;
  const json = flagSet(flags, 'json');
  const saveAsked = flagSet(flags, 'save');
  const noSave = flagSet(flags, 'no-save');
  if (saveAsked && noSave) throw new UsageError('give --save or --no-save, not both');
  return {
    mode,
    durationSeconds: numberInRange(flags, 'duration', DEFAULT_DURATION_S, 1, MAX_DURATION_S),
    filter: { ...(pid !== undefined ? { pid } : {}), ...(comm !== undefined ? { comm } : {}) },
    hostWide: flagSet(flags, 'all-host'),
    top: numberInRange(flags, 'top', DEFAULT_TOP, 1, MAX_TOP),
    json,
    save: saveAsked || (json && !noSave),
    saveAsked,
    printProgram: flagSet(flags, 'print-program'),
    help,
    memleak: parseMemleakOptions(flags, mode),
  };
}
