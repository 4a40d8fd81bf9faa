// `ktrace flame`: perf's call stacks as a flame graph (SVG) and as text a
// terminal can show. Reads `perf script` output (or folded stacks) on stdin, or
// records one process itself with `perf record -g -p PID`.

import { UsageError, flagSet, flagString, formatFlagHelp, numberInRange, parseArgs, type FlagSpecs } from '../../common/args.ts';

export const FLAME_DEFAULTS = { duration: 5, frequency: 99, top: 10, minPercent: 2 } as const;

export const FLAME_FLAGS: FlagSpecs = {
  pid: { kind: 'integer', metavar: 'PID', help: 'record this process with perf record -g (its pid as this shell sees it)' },
  duration: { kind: 'integer', metavar: 'SECONDS', help: `how long to record with --pid (default ${FLAME_DEFAULTS.duration})` },
  frequency: { kind: 'integer', metavar: 'HZ', help: `samples per second with --pid (default ${FLAME_DEFAULTS.frequency})` },
  input: { kind: 'string', metavar: 'FILE', help: 'read perf script output or folded stacks from FILE (default: stdin)' },
  output: { kind: 'string', metavar: 'FILE', help: 'write the SVG flame graph to FILE (the text view still goes to stdout)' },
  svg: { kind: 'boolean', help: 'write the SVG to stdout instead of the text view' },
  folded: { kind: 'boolean', help: 'print folded stacks ("main;f;g 12"), as stackcollapse-perf.pl does' },
  title: { kind: 'string', metavar: 'TEXT', help: 'the SVG title (default: Flame Graph)' },
  top: { kind: 'integer', metavar: 'N', help: `rows in the hottest-functions table (default ${FLAME_DEFAULTS.top})` },
  'min-percent': { kind: 'number', metavar: 'P', help: `leave out call-tree branches under P% (default ${FLAME_DEFAULTS.minPercent})` },
  help: { kind: 'boolean', help: 'show this help' },
};

export interface FlameOptions {
  readonly pid: number | undefined;
  readonly durationSeconds: number;
  readonly frequency: number;
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly svg: boolean;
  readonly folded: boolean;
  readonly title: string | undefined;
  readonly top: number;
  readonly minPercent: number;
  readonly help: boolean;
}

export function flameHelpText(): string {
  return [
    'ktrace flame - a flame graph from perf call stacks, as SVG and as text for the terminal',
    '',
    'usage: perf script | ktrace flame [--svg | --folded | --output FILE]',
    '       ktrace flame --pid PID [--duration SECONDS] [--output FILE]',
    '',
    'options:',
    formatFlagHelp(FLAME_FLAGS),
    '',
    'Without --svg or --folded it prints the hottest functions by their own samples and the call',
    'tree, widest branch first. With --pid it runs perf record -g -p PID: only that process is',
    'sampled, not the host. Build the program with frame pointers (-fno-omit-frame-pointer) for',
    'whole stacks. Exit status: 0 done, 1 could not record or read, 2 bad usage.',
    '',
  ].join('\n');
}

export function parseFlameArgs(argv: readonly string[]): FlameOptions {
  const { positionals, flags } = parseArgs(argv, FLAME_FLAGS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}' (pipe perf script output in, or give --pid PID)`);
  const pid = flags.has('pid') ? numberInRange(flags, 'pid', 0, 1, 4_194_304) : undefined;
  const input = flagString(flags, 'input');
  if (pid !== undefined && input !== undefined) throw new UsageError("give --pid or --input, not both");
  const svg = flagSet(flags, 'svg');
  const folded = flagSet(flags, 'folded');
  if (svg && folded) throw new UsageError('give --svg or --folded, not both');
  if (pid === undefined && (flags.has('duration') || flags.has('frequency'))) throw new UsageError("'--duration' and '--frequency' need --pid");
  return {
    pid,
    durationSeconds: numberInRange(flags, 'duration', FLAME_DEFAULTS.duration, 1, 3600),
    frequency: numberInRange(flags, 'frequency', FLAME_DEFAULTS.frequency, 1, 10_000),
    input,
    output: flagString(flags, 'output'),
    svg,
    folded,
    title: flagString(flags, 'title'),
    top: numberInRange(flags, 'top', FLAME_DEFAULTS.top, 1, 1000),
    minPercent: numberInRange(flags, 'min-percent', FLAME_DEFAULTS.minPercent, 0, 100),
    help: flagSet(flags, 'help'),
  };
}
