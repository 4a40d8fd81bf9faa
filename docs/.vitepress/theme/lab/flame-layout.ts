// A flame graph's geometry, kept apart from drawing so it can be tested: folded
// stacks ("comm;main;work" → samples) become a tree, the tree becomes
// rectangles for the frame the learner zoomed into, and a search marks the
// frames whose name matches with the share of samples they hold. Pure: no DOM.

/** One frame of the merged call tree: `value` counts the samples of every stack through it. */
export interface FlameNode {
  readonly id: number
  readonly name: string
  value: number
  /** Samples that stopped in this frame (no deeper frame). */
  self: number
  readonly depth: number
  readonly parent: FlameNode | null
  readonly children: FlameNode[]
}

/** A frame placed on the picture: x and width as fractions of the full width, depth 0 at the root. */
export interface FlameRect {
  readonly node: FlameNode
  readonly x: number
  readonly width: number
  readonly depth: number
}

/** The root's name, as flamegraph.pl calls it. */
export const ROOT_NAME = 'all'
/** Frames narrower than this share of the drawn width are left out: invisible, and thousands of them slow the page. */
export const MIN_FRAME_FRACTION = 0.001

/**
 * Merges folded stacks (root first, ';'-separated) into one tree. Children are
 * kept in name order, as flamegraph.pl draws them, so the picture of the same
 * profile is always the same.
 */
export function buildFlameTree(stacks: ReadonlyArray<readonly [string, number]>): FlameNode {
  let nextId = 0
  const make = (name: string, depth: number, parent: FlameNode | null): FlameNode =>
    ({ id: nextId++, name, value: 0, self: 0, depth, parent, children: [] })
  const root = make(ROOT_NAME, 0, null)
  const index = new Map<FlameNode, Map<string, FlameNode>>()
  for (const [stack, samples] of stacks) {
    if (!(samples > 0)) continue
    let node = root
    node.value += samples
    for (const name of stack.split(';')) {
      if (name === '') continue
      let byName = index.get(node)
      if (!byName) { byName = new Map(); index.set(node, byName) }
      let child = byName.get(name)
      if (!child) {
        child = make(name, node.depth + 1, node)
        byName.set(name, child)
        node.children.push(child)
      }
      child.value += samples
      node = child
    }
    node.self += samples
  }
  const sortTree = (n: FlameNode): void => {
    n.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const c of n.children) sortTree(c)
  }
  sortTree(root)
  return root
}

/** The frames from the root down to `node`, root first. */
export function ancestry(node: FlameNode): FlameNode[] {
  const path: FlameNode[] = []
  for (let n: FlameNode | null = node; n; n = n.parent) path.unshift(n)
  return path
}

/**
 * Rectangles with `zoom` spanning the full width: its ancestors above it also
 * full width (they contain it), its descendants in proportion to their samples.
 * Frames narrower than `minFraction` are dropped with their children.
 */
export function layoutFlame(zoom: FlameNode, minFraction = MIN_FRAME_FRACTION): FlameRect[] {
  const rects: FlameRect[] = ancestry(zoom).slice(0, -1).map((n) => ({ node: n, x: 0, width: 1, depth: n.depth }))
  if (zoom.value <= 0) return [...rects, { node: zoom, x: 0, width: 1, depth: zoom.depth }]
  const walk = (n: FlameNode, x: number): void => {
    const width = n.value / zoom.value
    if (n !== zoom && width < minFraction) return
    rects.push({ node: n, x, width, depth: n.depth })
    let cx = x
    for (const c of n.children) { walk(c, cx); cx += c.value / zoom.value }
  }
  walk(zoom, 0)
  return rects
}

/** The deepest depth among `rects`, for the picture's height. */
export function maxDepth(rects: readonly FlameRect[]): number {
  let d = 0
  for (const r of rects) d = Math.max(d, r.depth)
  return d
}

export interface FlameSearch {
  /** Frames whose name contains the query. */
  readonly matches: ReadonlySet<FlameNode>
  /** Samples under matching frames, each sample counted once (a match inside a match is not counted twice). */
  readonly samples: number
  /** `samples` as a share of `total` (0–1). */
  readonly fraction: number
}

/** Frames whose name contains `query` (case-insensitive, plain text — never a pattern the page compiles). */
export function searchFlame(root: FlameNode, query: string, total = root.value): FlameSearch {
  const q = query.trim().toLowerCase()
  const matches = new Set<FlameNode>()
  let samples = 0
  if (q) {
    const walk = (n: FlameNode, inMatch: boolean): void => {
      const hit = n !== root && n.name.toLowerCase().includes(q)
      if (hit) { matches.add(n); if (!inMatch) samples += n.value }
      for (const c of n.children) walk(c, inMatch || hit)
    }
    walk(root, false)
  }
  return { matches, samples, fraction: total > 0 ? samples / total : 0 }
}

/** A share as the picture shows it: "42.1%", "0.03%", "<0.01%". */
export function formatShare(fraction: number): string {
  const p = fraction * 100
  if (p > 0 && p < 0.01) return '<0.01%'
  return `${p >= 1 || p === 0 ? p.toFixed(1) : p.toFixed(2)}%`
}

/** A frame's name cut to `maxChars` with an ellipsis; '' when not even two characters fit. */
export function fitLabel(name: string, maxChars: number): string {
  const n = Math.floor(maxChars)
  if (n < 3) return ''
  if (name.length <= n) return name
  return `${name.slice(0, n - 1)}…`
}

/** A frame's fill: warm colours like flamegraph.pl's, chosen from the name so a function keeps its colour across zooms and pictures. */
export function frameColor(name: string): string {
  let h = 2166136261
  for (let i = 0; i < name.length; i++) { h ^= name.charCodeAt(i); h = Math.imul(h, 16777619) }
  const r = (h >>> 0) / 4294967295
  const hue = Math.round(8 + r * 42)
  const light = Math.round(52 + ((h >>> 8) & 0xff) / 255 * 12)
  return `hsl(${hue} 85% ${light}%)`
}
