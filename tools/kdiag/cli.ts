// kdiag command line: which sections to run and how to print them.
import { UsageError, flagSet, formatFlagHelp, numberInRange, parseArgs, type FlagSpecs } from '../common/args.ts';
import { SECTION_NAMES, type SectionName } from './report.ts';

/** Default CPU sampling interval: long enough to average out scheduler noise, short enough to feel instant. */
export const DEFAULT_INTERVAL_S = 1;
const MAX_INTERVAL_S = 60;
const MIN_INTERVAL_S = 0.1;

export const FLAGS: FlagSpecs = {
  json: { kind: 'boolean', help: 'print the report as JSON (stable shape, schemaVersion 1)' },
  interval: { kind: 'number', metavar: 'SECONDS', help: `CPU sampling interval for the cpu section (default ${DEFAULT_INTERVAL_S})` },
  help: { kind: 'boolean', help: 'show this help' },
};

const SECTION_HELP: Record<SectionName, string> = {
  kernel: 'kernel version, command line, uptime, taint flags decoded',
  features: 'BTF, tracefs, kprobes/uprobes, perf_event_paranoid, kptr_restrict, lockdep, kernel config',
  log: 'kernel log error patterns (Oops, BUG, WARNING, OOM, hung task, lockups, segfault, MCE)',
  memory: 'meminfo summary, PSI, top slab caches (root), this process\'s memory cgroup',
  cpu: 'CPU time split, context switches/s, interrupts/s, load, run queue, top processes',
  tasks: 'threads in D state with wchan and kernel stack, zombies',
  hardware: 'EDAC memory errors, mcelog, MCE lines in the kernel log',
};

export interface KdiagOptions {
  readonly sections: SectionName[];
  readonly json: boolean;
  readonly intervalSeconds: number;
  readonly help: boolean;
}

export function helpText(): string {
  const width = Math.max(...SECTION_NAMES.map((s) => s.length));
  return [
    'kdiag - kernel diagnostic report',
    '',
    'usage: kdiag [SECTION...|all] [--json] [--interval SECONDS]',
    '',
    'sections (default: all, followed by recommendations):',
    ...SECTION_NAMES.map((s) => `  ${s.padEnd(width)}  ${SECTION_HELP[s]}`),
    '',
    'options:',
    formatFlagHelp(FLAGS),
    '',
    'Exit status: 0 when the report ran (even if it found problems), 2 on bad usage.',
    'Run as root for the complete picture (slabinfo, kernel stacks, kernel log).',
    '',
  ].join('\n');
}

const isSection = (s: string): s is SectionName => (SECTION_NAMES as readonly string[]).includes(s);

export function parseKdiagArgs(argv: readonly string[]): KdiagOptions {
  const { positionals, flags } = parseArgs(argv, FLAGS);
  const sections: SectionName[] = [];
  for (const p of positionals) {
    if (p === 'all') sections.push(...SECTION_NAMES);
    else if (isSection(p)) sections.push(p);
    else throw new UsageError(`unknown section '${p}' (valid: ${[...SECTION_NAMES, 'all'].join(', ')})`);
  }
  return {
    // Keep the canonical order regardless of how sections were typed.
    sections: sections.length === 0 ? [...SECTION_NAMES] : SECTION_NAMES.filter((s) => sections.includes(s)),
    json: flagSet(flags, 'json'),
    intervalSeconds: numberInRange(flags, 'interval', DEFAULT_INTERVAL_S, MIN_INTERVAL_S, MAX_INTERVAL_S),
    help: flagSet(flags, 'help'),
  };
}
