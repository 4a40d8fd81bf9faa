// ktrace entry point.
import { UsageError } from '../common/args.ts';
import { styleFor } from '../common/style.ts';
import { FLAME_COMMAND, helpText, parseKtraceArgs, type KtraceOptions } from './cli.ts';
import { trace, type TraceOutcome } from './trace.ts';
import { runFlame } from './flame/run.ts';
import { describeScope, readOwnPidNamespace, scopeJson, type TraceScope } from './scope.ts';
import { saveCharts } from './pictures/save-charts.ts';
import { defaultMaxLive } from './modes/memleak.ts';
import { readMemoryLimits } from './memlimit.ts';
import { kallsymsResolver } from './kallsyms.ts';
import type { ModeContext } from './modes/types.ts';

const EXIT_OK = 0;
const EXIT_CANNOT_TRACE = 1;
const EXIT_USAGE = 2;
const SCHEMA_VERSION = 1;

function printOutcome(opts: KtraceOptions, modeName: string, scope: TraceScope | null, outcome: TraceOutcome): void {
  if (opts.json) {
    const base = { tool: 'ktrace', schemaVersion: SCHEMA_VERSION, mode: modeName, durationSeconds: opts.durationSeconds, filter: opts.filter, scope: scope === null ? null : scopeJson(scope) };
    const body = outcome.ok
      ? { ...base, ok: true, tracedSeconds: outcome.tracedSeconds, attachedProbes: outcome.attachedProbes, lostEvents: outcome.lostEvents, warnings: outcome.warnings, result: outcome.analysis.data }
      : outcome.stage === 'preflight'
        ? { ...base, ok: false, stage: outcome.stage, issues: outcome.issues }
        : { ...base, ok: false, stage: outcome.stage, message: outcome.message, stderr: outcome.stderr };
    process.stdout.write(JSON.stringify(body, null, 2) + '\n');
    return;
  }
  const st = styleFor(process.stdout);
  if (!outcome.ok) {
    if (outcome.stage === 'preflight') {
      process.stderr.write(`ktrace ${modeName}: cannot trace:\n`);
      for (const i of outcome.issues) process.stderr.write(`  - ${i.message}\n    fix: ${i.fix}\n`);
    } else {
      process.stderr.write(`ktrace ${modeName}: ${outcome.message}\n`);
      if (outcome.stderr) process.stderr.write(`bpftrace said:\n${outcome.stderr.replace(/^/gm, '  ')}\n`);
    }
    return;
  }
  for (const w of outcome.warnings) process.stderr.write(st.yellow(`bpftrace: ${w}\n`));
  if (outcome.lostEvents > 0) process.stderr.write(st.yellow(`bpftrace lost ${outcome.lostEvents} events; numbers are lower bounds\n`));
  process.stdout.write([st.bold(`== ktrace ${modeName} ==`), scopeLine(scope, st), ...outcome.analysis.render(st)].join('\n') + '\n');
}

/** Host-wide is said loudly: a neighbour's storm in the counts must never pass for the lab's. */
function scopeLine(scope: TraceScope | null, st: ReturnType<typeof styleFor>): string {
  if (scope === null) return '';
  const text = `  ${describeScope(scope)}`;
  return scope.hostWide ? st.bold(st.yellow(text)) : st.dim(text);
}

function defaultMaxLiveHere(): number {
  const m = readMemoryLimits();
  return defaultMaxLive(m.memTotalBytes, m.cgroupLimitBytes);
}

async function main(argv: readonly string[]): Promise<number> {
  // flame reads perf's stacks rather than running bpftrace: its own options and help.
  if (argv[0] === FLAME_COMMAND) return runFlame(argv.slice(1));
  let opts: KtraceOptions;
  try {
    opts = parseKtraceArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ktrace: ${err.message}\nTry 'ktrace --help'.\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (opts.help || opts.mode === null) {
    process.stdout.write(helpText());
    return EXIT_OK;
  }
  const own = readOwnPidNamespace();
  if (!own.ok) {
    const issue = { check: 'scope' as const, message: `cannot find this lab's pid namespace (${own.reason})`, fix: 'ktrace needs /proc mounted: `mount -t proc proc /proc`' };
    printOutcome(opts, opts.mode.name, null, { ok: false, stage: 'preflight', issues: [issue] });
    return EXIT_CANNOT_TRACE;
  }
  const scope: TraceScope = { hostWide: opts.hostWide, pidNamespace: own.pidNamespace };
  const ctx: ModeContext = {
    durationSeconds: opts.durationSeconds,
    filter: opts.filter,
    scope,
    top: opts.top,
    memleak: { ...opts.memleak, maxLive: opts.memleak.maxLive ?? defaultMaxLiveHere() },
    // Read after tracing: a module loaded meanwhile is then listed too.
    kernelSymbols: kallsymsResolver(),
  };
  if (opts.printProgram) {
    process.stdout.write(opts.mode.program(ctx).trimStart());
    return EXIT_OK;
  }
  const name = opts.mode.name;
  const st = styleFor(process.stderr);
  const outcome = await trace(opts.mode, ctx, {
    onStart: () => {
      if (opts.json) return;
      if (scope.hostWide) process.stderr.write(st.bold(st.yellow(`ktrace ${name}: ${describeScope(scope)}\n`)));
      process.stderr.write(`ktrace ${name}: tracing for ${opts.durationSeconds} s (Ctrl+C to stop early)...\n`);
    },
    // A slow start (minutes on an emulated VM) must not look like a hang.
    onWaiting: (seconds) => {
      if (!opts.json) process.stderr.write(st.dim(`ktrace ${name}: attaching probes… (${Math.round(seconds)} s)\n`));
    },
  });
  printOutcome(opts, opts.mode.name, scope, outcome);
  if (outcome.ok && !opts.json) process.stdout.write(styleFor(process.stdout).dim(`  note: ${opts.mode.caveat}`) + '\n');
  if (!outcome.ok) return EXIT_CANNOT_TRACE;
  if (opts.save) {
    const error = saveCharts({ mode: name, result: outcome.analysis.data, tracedSeconds: outcome.tracedSeconds, filter: opts.filter, hostWide: scope.hostWide, argv });
    if (error !== null) {
      process.stderr.write(`ktrace: ${opts.saveAsked ? '' : 'warning: '}could not save the picture: ${error}\n`);
      // Only an explicit --save fails the run: with --json the JSON on stdout is the result.
      if (opts.saveAsked) return EXIT_CANNOT_TRACE;
    }
  }
  return EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ktrace: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env['KTRACE_DEBUG']) console.error(err);
    process.exitCode = EXIT_CANNOT_TRACE;
  },
);
