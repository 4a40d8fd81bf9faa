// `ktrace flame`: perf's call stacks as a flame graph (SVG) and as text a
// terminal can show. Reads `perf script` output (or folded stacks) on stdin, or
// records one process (`--pid`) or the whole lab (`--lab`) itself with
// `perf record -g`. `--save` also leaves the stacks in the lab's picture spool.

import { UsageError, flagSet, flagString, formatFlagHelp, numberInRange, parseArgs, type FlagSpecs } from '../../common/args.ts';

export const FLAME_DEFAULTS = { duration: 5, frequency: 99, top: 10, minPercent: 2 } as const;

export const FLAME_FLAGS: FlagSpecs = {
  pid: { kind: 'integer', metavar: 'PID', help: 'record this process with perf record -g (its pid as this shell sees it)' },
  lab: { kind: 'boolean', help: "record every process of this lab with perf record -g (not ktrace, perf or kernel threads)" },
  duration: { kind: 'integer', metavar: 'SECONDS', help: `how long to record with --pid or --lab (default ${FLAME_DEFAULTS.duration})` },
  frequency: { kind: 'integer', metavar: 'HZ', help: `samples per second with --pid or --lab (default ${FLAME_DEFAULTS.frequency})` },
  input: { kind: 'string', metavar: 'FILE', help: 'read a perf.data file (runs perf script -i FILE), perf script output or folded stacks from FILE (default: stdin)' },
  output: { kind: 'string', metavar: 'FILE', help: 'write the SVG flame graph to FILE (the text view still goes to stdout)' },
  svg: { kind: 'boolean', help: 'write the SVG to stdout instead of the text view' },
  folded: { kind: 'boolean', help: 'print folded stacks ("main;f;g 12"), as stackcollapse-perf.pl does' },
  title: { kind: 'string', metavar: 'TEXT', help: 'the title of the SVG and of the saved picture' },
  save: { kind: 'boolean', help: 'also save the flame graph as a picture for the lab page (see below)' },
  top: { kind: 'integer', metavar: 'N', help: `rows in the hottest-functions table (default ${FLAME_DEFAULTS.top})` },
  'min-percent': { kind: 'number', metavar: 'P', help: `leave out call-tree branches under P% (default ${FLAME_DEFAULTS.minPercent})` },
  help: { kind: 'boolean', help: 'show this help' },
};

export interface FlameOptions {
  readonly pid: number | undefined;
  /** --lab: every process of this lab. */
  readonly lab: boolean;
  readonly durationSeconds: number;
  readonly frequency: number;
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly svg: boolean;
  readonly folded: boolean;
  readonly title: string | undefined;
  readonly save: boolean;
  readonly top: number;
  readonly minPercent: number;
  readonly help: boolean;
}

export function flameHelpText(): string {
  return [
    'ktrace flame - a flame graph from perf call stacks, as SVG and as text for the terminal',
    '',
    'usage: perf script | ktrace flame [--svg | --folded | --output FILE] [--save] [--title TEXT]',
    '       ktrace flame --input perf.data|FILE [--save] ...',
    '       ktrace flame --pid PID | --lab [--duration SECONDS] [--frequency HZ] [--save] ...',
    '',
    'options:',
    formatFlagHelp(FLAME_FLAGS),
    '',
    'Without --svg or --folded it prints the hottest functions by their own samples and the call',
    'tree, widest branch first. With --pid it runs perf record -g -p PID: only that process is',
    'sampled, not the host; with --lab every process of this lab (what the lab page\'s Profile',
    'button runs). Build the program with frame pointers (-fno-omit-frame-pointer) for whole stacks.',
    '',
    '--save writes the stacks as a picture into the lab\'s picture spool (/var/lib/kdlabs/pictures,',
    'or $KDLABS_PICTURE_SPOOL): the lab page draws it as an interactive flame graph. The file stays',
    'on this machine; the runner reads it from here for your page only. stderr then says',
    '"ktrace: picture saved: PATH".',
    'Exit status: 0 done, 1 could not record, read or save, 2 bad usage.',
    '',
  ].join('\n');
}

export function parseFlameArgs(argv: readonly string[]): FlameOptions {
  const { positionals, flags } = parseArgs(argv, FLAME_FLAGS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}' (pipe perf script output in, or give --pid PID, --lab or --input FILE)`);
  const pid = flags.has('pid') ? numberInRange(flags, 'pid', 0, 1, 4_194_304) : undefined;
  const lab = flagSet(flags, 'lab');
  const input = flagString(flags, 'input');
  const sources = [pid !== undefined ? '--pid' : null, lab ? '--lab' : null, input !== undefined ? '--input' : null].filter((s) => s !== null);
  if (sources.length > 1) throw new UsageError(`give one of --pid, --lab and --input, not ${sources.join(' and ')}`);
  const svg = flagSet(flags, 'svg');
  const folded = flagSet(flags, 'folded');
  if (svg && folded) throw new UsageError('give --svg or --folded, not both');
  if (pid === undefined && !lab && (flags.has('duration') || flags.has('frequency'))) throw new UsageError("'--duration' and '--frequency' need --pid or --lab");
  return {
    pid,
    lab,
    durationSeconds: numberInRange(flags, 'duration', FLAME_DEFAULTS.duration, 1, 3600),
    frequency: numberInRange(flags, 'frequency', FLAME_DEFAULTS.frequency, 1, 10_000),
    input,
    output: flagString(flags, 'output'),
    svg,
    folded,
    title: flagString(flags, 'title'),
    save: flagSet(flags, 'save'),
    top: numberInRange(flags, 'top', FLAME_DEFAULTS.top, 1, 1000),
    minPercent: numberInRange(flags, 'min-percent', FLAME_DEFAULTS.minPercent, 0, 100),
    help: flagSet(flags, 'help'),
  };
}
