// Runs one mode end to end: preflight, bpftrace, analysis. No printing here,
// so tests and the CLI share it.
import { runBpftrace } from './bpftrace/run.ts';
import { readCpuFacts, startupGraceSeconds } from './bpftrace/startup.ts';
import { tracedNsFrom } from './bpftrace/program.ts';
import { pidNamespaceMismatch } from './bpftrace/pidns.ts';
import { evaluatePreflight, gatherFacts, type PreflightIssue } from './preflight.ts';
import type { Analysis, ModeContext, ModeSpec } from './modes/types.ts';

export type TraceOutcome =
  | { readonly ok: true; readonly analysis: Analysis; readonly tracedSeconds: number; readonly attachedProbes: number | null; readonly lostEvents: number; readonly warnings: string[] }
  | { readonly ok: false; readonly stage: 'preflight'; readonly issues: PreflightIssue[] }
  | { readonly ok: false; readonly stage: 'bpftrace' | 'scope'; readonly message: string; readonly stderr: string };

export interface TraceHooks {
  /** Runs once the preflight passed, just before bpftrace starts. */
  readonly onStart?: () => void;
  /** Called now and then while bpftrace has not attached yet, with the seconds waited. */
  readonly onWaiting?: (seconds: number) => void;
}

export async function trace(mode: ModeSpec, ctx: ModeContext, hooks: TraceHooks = {}): Promise<TraceOutcome> {
  const facts = gatherFacts(mode.tracepoints);
  const issues = evaluatePreflight(facts, mode.tracepoints, mode.missingHint);
  if (issues.length > 0 || facts.bpftracePath === null) return { ok: false, stage: 'preflight', issues };

  hooks.onStart?.();
  const grace = startupGraceSeconds(readCpuFacts());
  let run;
  try {
    run = await runBpftrace({
      bpftrace: facts.bpftracePath,
      program: mode.program(ctx),
      durationSeconds: ctx.durationSeconds,
      graceSeconds: grace,
      ...(mode.env ? { env: mode.env(ctx) } : {}),
      ...(hooks.onWaiting ? { onWaiting: hooks.onWaiting } : {}),
    });
  } catch (err) {
    return { ok: false, stage: 'bpftrace', message: `could not start bpftrace: ${err instanceof Error ? err.message : String(err)}`, stderr: '' };
  }
  // bpftrace exits 0 after exit(); on SIGINT (Ctrl+C) it still prints maps.
  const interrupted = run.signal === null && run.exitCode !== 0 && run.output.attachedProbes !== null && run.output.maps.size > 0;
  if (run.output.attachedProbes === null || (run.exitCode !== 0 && !interrupted)) {
    const how = run.timedOut ? 'timed out' : run.signal !== null ? `killed by ${run.signal}` : `exited with status ${String(run.exitCode)}`;
    const when = run.output.attachedProbes !== null ? '' : run.timedOut ? ` before attaching its probes (allowed ${grace} s)` : ' before attaching its probes';
    return { ok: false, stage: 'bpftrace', message: `bpftrace ${how}${when}`, stderr: [run.stderr, ...run.output.unparsed].filter((s) => s !== '').join('\n') };
  }
  const mismatch = pidNamespaceMismatch(run.output.printf, run.pid, ctx.scope.pidNamespace);
  const warnings = [run.stderr, ...run.output.unparsed].filter((s) => s !== '');
  if (mismatch !== null) {
    // Counts filtered by a namespace test that does not work would be silently empty: refuse them.
    if (!ctx.scope.hostWide) return { ok: false, stage: 'scope', message: `cannot tell this lab's processes apart: ${mismatch}; --all-host traces without that filter`, stderr: '' };
    warnings.push(`lab pids may be wrong: ${mismatch}`);
  }
  // Prefer the in-kernel window; fall back to wall-clock if END did not run (killed).
  const tracedNs = tracedNsFrom(run.output.printf);
  const tracedSeconds = tracedNs !== null ? tracedNs / 1e9 : run.tracedSeconds;
  return {
    ok: true,
    analysis: mode.analyze(run.output, tracedSeconds, ctx),
    tracedSeconds,
    attachedProbes: run.output.attachedProbes,
    lostEvents: run.output.lostEvents,
    warnings,
  };
}
