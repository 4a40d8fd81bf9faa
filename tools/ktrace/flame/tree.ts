// The call tree behind both views: each node counts the samples whose stack
// passes through it (total) and those that end in it (self).

import type { Folded } from './fold.ts';

export interface FlameNode {
  readonly name: string;
  total: number;
  self: number;
  readonly children: Map<string, FlameNode>;
}

function node(name: string): FlameNode {
  return { name, total: 0, self: 0, children: new Map() };
}

export function buildTree(folded: Folded): FlameNode {
  const root = node('all');
  for (const [stack, n] of folded) {
    root.total += n;
    let at = root;
    for (const name of stack.split(';')) {
      let child = at.children.get(name);
      if (child === undefined) {
        child = node(name);
        at.children.set(name, child);
      }
      child.total += n;
      at = child;
    }
    at.self += n;
  }
  return root;
}

export interface HotFunction {
  readonly name: string;
  /** Samples that end in this function: its own CPU time. */
  readonly self: number;
  /** Samples with this function anywhere on the stack (recursion counted once). */
  readonly total: number;
}

/** Functions by self samples, most first (ties by name), like `perf report --no-children`. */
export function hotFunctions(folded: Folded): HotFunction[] {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [stack, n] of folded) {
    const frames = stack.split(';').slice(1); // the first frame is the command name
    const leaf = frames[frames.length - 1];
    if (leaf !== undefined) self.set(leaf, (self.get(leaf) ?? 0) + n);
    for (const f of new Set(frames)) total.set(f, (total.get(f) ?? 0) + n);
  }
  return [...self.entries()]
    .map(([name, s]) => ({ name, self: s, total: total.get(name) ?? s }))
    .sort((a, b) => b.self - a.self || (a.name < b.name ? -1 : 1));
}

/** Children widest first (ties by name): the order for reading. */
export function byWeight(n: FlameNode): FlameNode[] {
  return [...n.children.values()].sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
}

/** Children by name: the order flamegraph.pl draws, so the picture does not jump between runs. */
export function byName(n: FlameNode): FlameNode[] {
  return [...n.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
