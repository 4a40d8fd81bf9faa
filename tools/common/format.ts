// Number and table formatting shared by both tools' human output.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatBytes(bytes: number): string {
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const sign = bytes < 0 ? '-' : '';
  return `${sign}${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${BYTE_UNITS[i] ?? 'B'}`;
}

/** Nanoseconds to a short human duration (ns, us, ms, s). */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${Math.round(ns)}ns`;
  if (ns < 1_000_000) return `${trim(ns / 1_000)}us`;
  if (ns < 1_000_000_000) return `${trim(ns / 1_000_000)}ms`;
  return `${trim(ns / 1_000_000_000)}s`;
}

function trim(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const parts = d > 0 ? [`${d}d`, `${h}h`, `${m}m`] : h > 0 ? [`${h}h`, `${m}m`] : [`${m}m`, `${s}s`];
  return parts.join(' ');
}

export function formatPct(v: number): string {
  return `${v.toFixed(1)}%`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Visible length of a string, ignoring ANSI colour codes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export type Align = 'left' | 'right';

/** Renders rows as aligned columns; numeric-looking columns should be passed 'right'. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], aligns: readonly Align[], indent = '  '): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => visibleLength(r[c] ?? ''))));
  const line = (r: readonly string[]) =>
    indent +
    r
      .map((cell, c) => {
        const pad = ' '.repeat(Math.max(0, (widths[c] ?? 0) - visibleLength(cell)));
        return aligns[c] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n');
}

/** "key   value" lines with the keys padded to the same width. */
export function keyValues(pairs: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join('\n');
}
