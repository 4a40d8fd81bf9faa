// The calling process's memory cgroup: v2 (memory.current/max/events/stat/pressure),
// falling back to v1 (memory.usage_in_bytes...) on hosts still using it.
import { existsSync } from 'node:fs';
import { type SourceProblem, readText, readTrimmed } from '../../common/fsread.ts';
import { parseCgroupMounts, parseFlatKeyed, parseLimit, parsePressure, parseProcCgroup, type Pressure } from '../parse/cgroup.ts';

/** v1 reports "no limit" as a page-rounded LLONG_MAX; anything this large is effectively unlimited. */
const V1_UNLIMITED_THRESHOLD = 2 ** 60;
const EVENT_KEYS = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill'] as const;
const STAT_KEYS = ['anon', 'file', 'kernel', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_dirty', 'file_writeback'] as const;

export type CgroupMemory =
  | {
      readonly version: 2;
      readonly path: string;
      readonly currentBytes: number | null;
      readonly maxBytes: number | 'max' | null;
      readonly highBytes: number | 'max' | null;
      readonly events: Record<string, number>;
      readonly stat: Record<string, number>;
      readonly pressure: Pressure | null;
    }
  | {
      readonly version: 1;
      readonly path: string;
      readonly usageBytes: number | null;
      readonly limitBytes: number | 'max' | null;
      readonly failcnt: number | null;
      readonly oomKill: number | null;
    };

function pick(map: Map<string, number>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.filter((k) => map.has(k)).map((k) => [k, map.get(k) ?? 0]));
}

function numOrNull(path: string, problems: SourceProblem[]): number | null {
  const t = readTrimmed(path, problems);
  return t === undefined ? null : Number(t);
}

function limitOrNull(path: string, problems: SourceProblem[]): number | 'max' | null {
  const t = readTrimmed(path, problems);
  return t === undefined ? null : parseLimit(t);
}

export function collectCgroupMemory(problems: SourceProblem[]): CgroupMemory | null {
  const self = readText('/proc/self/cgroup');
  const mountinfo = readText('/proc/self/mountinfo');
  if (!self.ok) {
    problems.push(self.problem);
    return null;
  }
  if (!mountinfo.ok) {
    problems.push(mountinfo.problem);
    return null;
  }
  const groups = parseProcCgroup(self.text);
  const mounts = parseCgroupMounts(mountinfo.text);

  if (mounts.v2 !== null && groups.v2Path !== null) {
    const dir = `${mounts.v2}${groups.v2Path === '/' ? '' : groups.v2Path}`;
    // The root cgroup has no memory.current; a v2 tree without the memory controller neither.
    if (existsSync(`${dir}/memory.current`)) {
      const events = readText(`${dir}/memory.events`);
      const stat = readText(`${dir}/memory.stat`);
      const pressure = readText(`${dir}/memory.pressure`);
      return {
        version: 2,
        path: dir,
        currentBytes: numOrNull(`${dir}/memory.current`, problems),
        maxBytes: limitOrNull(`${dir}/memory.max`, problems),
        highBytes: limitOrNull(`${dir}/memory.high`, problems),
        events: events.ok ? pick(parseFlatKeyed(events.text), EVENT_KEYS) : {},
        stat: stat.ok ? pick(parseFlatKeyed(stat.text), STAT_KEYS) : {},
        pressure: pressure.ok ? parsePressure(pressure.text) : null,
      };
    }
  }

  const v1Mount = mounts.v1.get('memory');
  const v1Path = groups.v1.get('memory');
  if (v1Mount !== undefined && v1Path !== undefined) {
    // Inside a container the v1 hierarchy is usually mounted at the group's own root.
    const dir = [`${v1Mount}${v1Path === '/' ? '' : v1Path}`, v1Mount].find((d) => existsSync(`${d}/memory.usage_in_bytes`));
    if (dir !== undefined) {
      const limit = numOrNull(`${dir}/memory.limit_in_bytes`, problems);
      const oomControl = readText(`${dir}/memory.oom_control`);
      return {
        version: 1,
        path: dir,
        usageBytes: numOrNull(`${dir}/memory.usage_in_bytes`, problems),
        limitBytes: limit === null ? null : limit >= V1_UNLIMITED_THRESHOLD ? 'max' : limit,
        failcnt: numOrNull(`${dir}/memory.failcnt`, problems),
        oomKill: oomControl.ok ? (parseFlatKeyed(oomControl.text).get('oom_kill') ?? null) : null,
      };
    }
  }
  problems.push({ source: 'memory cgroup', reason: 'no memory controller found for this process (cgroup v2 memory.current absent, no v1 memory hierarchy)' });
  return null;
}
