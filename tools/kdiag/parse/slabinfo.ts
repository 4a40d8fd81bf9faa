// /proc/slabinfo (version 2.1, root-only):
// name <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ... : slabdata ...

export interface SlabCache {
  readonly name: string;
  readonly activeObjs: number;
  readonly numObjs: number;
  readonly objSize: number;
  /** num_objs * objsize: memory held by this cache's objects. */
  readonly bytes: number;
}

export function parseSlabinfo(text: string): SlabCache[] {
  const out: SlabCache[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('slabinfo') || line.startsWith('#') || line.trim() === '') continue;
    const [name, active, num, size] = line.trim().split(/\s+/);
    if (name === undefined || size === undefined) continue;
    const numObjs = Number(num);
    const objSize = Number(size);
    out.push({ name, activeObjs: Number(active), numObjs, objSize, bytes: numObjs * objSize });
  }
  return out;
}

export function topSlabs(caches: readonly SlabCache[], n: number): SlabCache[] {
  return [...caches].sort((a, b) => b.bytes - a.bytes).slice(0, n);
}
