// Scales, ticks and units for the Pictures pane's charts: pure, so the labels a
// learner reads ("1–2 µs", "12.5k/s", "14:03:20") are tested without a browser.

/** Maps a domain onto a range linearly (a zero-width domain maps to the range's start). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0
  return (v) => (span === 0 ? r0 : r0 + ((v - d0) / span) * (r1 - r0))
}

/**
 * Round tick values from 0 up to at least `max`: about `count` of them, steps of
 * 1, 2 or 5 × 10^n, so the axis reads 0, 20, 40… rather than 0, 17.3, 34.6…
 */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1]
  const raw = max / Math.max(1, count)
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = 0; v < max + step / 2 && ticks.length <= count * 3; v += step) ticks.push(Number(v.toPrecision(12)))
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)))
  return ticks
}

const trim = (v: number): string => {
  const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s
}
/** Fewer digits, for bucket bounds: log2 bounds (1024, 2048 ns) read as "1 µs", "2 µs". */
const short = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, ''))

/** A duration in nanoseconds as a person reads it: "850 ns", "1.5 µs", "12 ms", "2.1 s". */
export function formatNs(ns: number, digits: (v: number) => string = trim): string {
  const a = Math.abs(ns)
  if (a < 1e3) return `${digits(ns)} ns`
  if (a < 1e6) return `${digits(ns / 1e3)} µs`
  if (a < 1e9) return `${digits(ns / 1e6)} ms`
  return `${digits(ns / 1e9)} s`
}

/** A size in bytes, binary units: "512 B", "4 KiB", "1.5 MiB". */
export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = b
  let i = 0
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${trim(v)} ${units[i]}`
}

/** A count, shortened past 10 000: "950", "12.5k", "3.2M". */
export function formatCount(n: number): string {
  const a = Math.abs(n)
  if (a < 10_000) return Number.isInteger(n) ? String(n) : trim(n)
  if (a < 1e6) return `${trim(n / 1e3)}k`
  if (a < 1e9) return `${trim(n / 1e6)}M`
  return `${trim(n / 1e9)}G`
}

export type ValueUnit = 'count' | 'per-second' | 'ns' | 'bytes' | 'ms'

/** A chart value in its unit. */
export function formatValue(v: number, unit: ValueUnit): string {
  switch (unit) {
    case 'count': return formatCount(v)
    case 'per-second': return `${formatCount(v)}/s`
    case 'ns': return formatNs(v)
    case 'ms': return Math.abs(v) < 1000 ? `${trim(v)} ms` : `${trim(v / 1000)} s`
    case 'bytes': return formatBytes(v)
  }
}

/** The unit's name for an axis title. */
export function unitName(unit: ValueUnit): string {
  return { count: 'count', 'per-second': 'per second', ns: 'time', ms: 'milliseconds', bytes: 'bytes' }[unit]
}

/**
 * A log2 bucket's label: ktrace reports [min, max] inclusive, so the bucket
 * holds min up to (not including) max + 1 — "1–2 µs" for [1024, 2047] ns.
 * Units are named once, at the upper end, when both ends share one.
 */
export function bucketLabel(min: number | null, max: number | null, unit: 'ns' | 'bytes'): string {
  const fmt = unit === 'ns' ? (v: number): string => formatNs(v, short) : formatBytes
  if (min === null && max === null) return 'all'
  if (min === null) return `< ${fmt(max! + 1)}`
  if (max === null) return `≥ ${fmt(min)}`
  if (min === max) return fmt(min)
  const lo = fmt(min)
  const hi = fmt(max + 1)
  const [loNum, loUnit] = splitUnit(lo)
  const [, hiUnit] = splitUnit(hi)
  return loUnit === hiUnit ? `${loNum}–${hi}` : `${lo}–${hi}`
}

function splitUnit(s: string): [string, string] {
  const i = s.lastIndexOf(' ')
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)]
}

/** Wall-clock time of a Unix-ms instant, "14:03:20", in the viewer's time zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** Seconds between time-axis ticks, so a span of `spanMs` gets about `count` of them on whole 1/5/10/15/30/60… seconds. */
export function timeTickStep(spanMs: number, count = 6): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]
  const raw = spanMs / 1000 / Math.max(1, count)
  return steps.find((s) => s >= raw) ?? 3600
}

/** Tick instants (Unix ms) on whole multiples of the step within [t0, t1]. */
export function timeTicks(t0: number, t1: number, count = 6): number[] {
  const stepMs = timeTickStep(t1 - t0, count) * 1000
  const out: number[] = []
  for (let t = Math.ceil(t0 / stepMs) * stepMs; t <= t1; t += stepMs) out.push(t)
  return out
}
