// A successful trace as a charts picture in the spool (ktrace MODE --json / --save).
import type { ChartsPicture } from '../../../runner/src/common/pictures.ts';
import type { TraceFilter } from '../bpftrace/program.ts';
import { chartsFor } from './charts.ts';
import { clampLabel } from './limits.ts';
import { commandLine, saveAndAnnounce } from './save.ts';
import { SpoolError } from './spool.ts';

export interface ChartsRun {
  readonly mode: string;
  readonly result: object;
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  readonly hostWide: boolean;
  /** ktrace's arguments as typed. */
  readonly argv: readonly string[];
}

/** "ktrace syscalls — 5 s, this lab": what the learner sees in the picture list. */
export function chartsTitle(run: Pick<ChartsRun, 'mode' | 'tracedSeconds' | 'filter' | 'hostWide'>): string {
  // Whole seconds, as they were asked for (bpftrace's window runs a little over); tenths under one.
  const secs = run.tracedSeconds >= 1 ? String(Math.round(run.tracedSeconds)) : run.tracedSeconds.toFixed(1);
  const who = [
    run.hostWide ? 'whole host' : 'this lab',
    ...(run.filter.pid !== undefined ? [`pid ${run.filter.pid}`] : []),
    ...(run.filter.comm !== undefined ? [run.filter.comm] : []),
  ].join(', ');
  return clampLabel(`ktrace ${run.mode} — ${secs} s, ${who}`);
}

export function chartsPicture(run: ChartsRun, createdAt: number): ChartsPicture | null {
  const charts = chartsFor(run.mode, run.result);
  if (charts === null || charts.length === 0) return null;
  return { kind: 'charts', mode: run.mode, title: chartsTitle(run), command: commandLine(run.argv), createdAt, charts };
}

/** Saves and announces the picture; returns why it could not, or null. */
export function saveCharts(run: ChartsRun): string | null {
  const picture = chartsPicture(run, Date.now());
  if (picture === null) return `no charts for mode ${run.mode}`;
  try {
    saveAndAnnounce(picture, run.mode);
    return null;
  } catch (err) {
    if (err instanceof SpoolError) return err.message;
    throw err;
  }
}
