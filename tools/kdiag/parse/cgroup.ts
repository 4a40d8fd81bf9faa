// cgroup files: locating the caller's cgroup v2 directory and parsing the
// flat-keyed (memory.stat, memory.events) and PSI (memory.pressure) formats.

/** "key value" per line -> map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k !== undefined && v !== undefined && v !== '') out.set(k, Number(v));
  }
  return out;
}

export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  /** Total stall time in microseconds. */
  readonly totalUs: number;
}

export interface Pressure {
  readonly some: PressureLine | null;
  readonly full: PressureLine | null;
}

export function parsePressure(text: string): Pressure {
  const lines: Record<string, PressureLine> = {};
  for (const line of text.split('\n')) {
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)/.exec(line.trim());
    if (m?.[1] !== undefined) {
      lines[m[1]] = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalUs: Number(m[5]) };
    }
  }
  return { some: lines['some'] ?? null, full: lines['full'] ?? null };
}

/** "max" or a byte count. */
export function parseLimit(text: string): number | 'max' {
  const t = text.trim();
  return t === 'max' ? 'max' : Number(t);
}

export interface ProcCgroups {
  /** Path from the "0::" line (cgroup v2), if any. */
  readonly v2Path: string | null;
  /** Controller name -> path, from cgroup v1 lines like "4:memory:/foo". */
  readonly v1: ReadonlyMap<string, string>;
}

export function parseProcCgroup(text: string): ProcCgroups {
  let v2Path: string | null = null;
  const v1 = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers = '', path = '/'] = m;
    if (id === '0' && controllers === '') v2Path = path;
    else for (const c of controllers.split(',')) v1.set(c, path);
  }
  return { v2Path, v1 };
}

export interface CgroupMounts {
  readonly v2: string | null;
  /** v1 controller -> mount point. */
  readonly v1: ReadonlyMap<string, string>;
}

/** From /proc/self/mountinfo: where cgroup2 and each cgroup v1 controller are mounted. */
export function parseCgroupMounts(mountinfo: string): CgroupMounts {
  let v2: string | null = null;
  const v1 = new Map<string, string>();
  for (const line of mountinfo.split('\n')) {
    // "<id> <parent> <maj:min> <root> <mountpoint> <opts> [optional...] - <fstype> <source> <superopts>"
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const mountPoint = left.split(' ')[4];
    const [fstype, , superOpts = ''] = right.split(' ');
    if (mountPoint === undefined) continue;
    if (fstype === 'cgroup2' && v2 === null) v2 = mountPoint;
    if (fstype === 'cgroup') for (const opt of superOpts.split(',')) if (!v1.has(opt)) v1.set(opt, mountPoint);
  }
  return { v2, v1 };
}
