// `kdiag log`: error patterns in the kernel log, with counts and latest lines.
import { readKernelLog } from './klog-source.ts';
import { scanKernelLog, type PatternHits } from '../parse/klog.ts';

/** Lines kept per pattern: enough to see the latest incident without flooding the report. */
export const LATEST_LINES_PER_PATTERN = 3;

export type LogSection =
  | { readonly available: true; readonly source: string; readonly linesScanned: number; readonly patterns: PatternHits[] }
  | { readonly available: false; readonly reasons: string[]; readonly fix: string };

export function collectLog(): LogSection {
  const log = readKernelLog();
  if (!log.ok) return { available: false, reasons: log.reasons, fix: log.fix };
  return { available: true, source: log.source, linesScanned: log.lines.length, patterns: scanKernelLog(log.lines, LATEST_LINES_PER_PATTERN) };
}
