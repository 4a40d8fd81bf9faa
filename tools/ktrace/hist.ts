// Log2 histogram helpers: merge, percentile estimates, and text bars.
import { formatNs } from '../common/format.ts';
import type { HistBucket } from './bpftrace/output.ts';

/** Width of the longest bar in characters. */
export const BAR_WIDTH = 40;

/** Merges histograms bucket-by-bucket (log2 buckets share boundaries, so merging is exact). */
export function mergeHists(hists: Iterable<readonly HistBucket[]>): HistBucket[] {
  const byMin = new Map<string, HistBucket>();
  for (const h of hists) {
    for (const b of h) {
      const key = `${String(b.min)}:${String(b.max)}`;
      const prev = byMin.get(key);
      byMin.set(key, { min: b.min, max: b.max, count: (prev?.count ?? 0) + b.count });
    }
  }
  return [...byMin.values()].sort((a, b) => (a.min ?? -Infinity) - (b.min ?? -Infinity));
}

export function totalCount(h: readonly HistBucket[]): number {
  return h.reduce((s, b) => s + b.count, 0);
}

/**
 * Estimates a percentile (0..100) by linear interpolation inside the bucket
 * that contains it. Accuracy is bounded by the bucket width (a factor of 2 for
 * log2 buckets); `exactMax` caps the estimate when the true maximum is known.
 */
export function percentile(h: readonly HistBucket[], p: number, exactMax?: number): number | null {
  const total = totalCount(h);
  if (total === 0) return null;
  const rank = (p / 100) * total;
  let seen = 0;
  for (const b of h) {
    if (b.count === 0) continue;
    if (seen + b.count >= rank) {
      const lo = b.min ?? 0;
      // Bucket [lo, hi] is inclusive; interpolate over [lo, hi + 1).
      const hi = (b.max ?? lo) + 1;
      const est = lo + ((rank - seen) / b.count) * (hi - lo);
      return exactMax === undefined ? est : Math.min(est, exactMax);
    }
    seen += b.count;
  }
  return exactMax ?? null;
}

/** Text histogram with ns-valued bucket labels; leading/trailing empty buckets trimmed. */
export function renderHist(h: readonly HistBucket[], indent = '    '): string[] {
  const first = h.findIndex((b) => b.count > 0);
  if (first < 0) return [`${indent}(no samples)`];
  let last = h.length - 1;
  while (last > first && (h[last]?.count ?? 0) === 0) last--;
  const rows = h.slice(first, last + 1);
  const peak = Math.max(...rows.map((b) => b.count));
  const labels = rows.map((b) => `[${b.min === null ? '-inf' : formatNs(b.min)}, ${b.max === null ? 'inf' : formatNs(b.max + 1)})`);
  const lw = Math.max(...labels.map((l) => l.length));
  const cw = Math.max(...rows.map((b) => String(b.count).length));
  return rows.map((b, i) => {
    const bar = '#'.repeat(b.count === 0 ? 0 : Math.max(1, Math.round((b.count / peak) * BAR_WIDTH)));
    return `${indent}${(labels[i] ?? '').padEnd(lw)} ${String(b.count).padStart(cw)} |${bar.padEnd(BAR_WIDTH)}|`;
  });
}
