// tracefs: mounted where lab containers get it, and readable (the trace event
// list and an event's format file, which bpftrace and perf read for tracepoints).
import type { CheckOutcome } from './check.ts';
import type { HostIo, IoResult } from './host-io.ts';
import { parseMountinfo, type Mount } from './mountinfo.ts';

/** Where the container backend looks for it (and bind-mounts it from). */
export const TRACEFS = '/sys/kernel/tracing';
/** The older place, under debugfs; tools still look here when the first is absent. */
export const TRACEFS_UNDER_DEBUGFS = '/sys/kernel/debug/tracing';
/** Every kernel has this tracepoint; labs rely on it. */
const SAMPLE_FORMAT = 'events/sched/sched_switch/format';

/** tracefs mount points, the standard one first. */
export function tracefsMounts(mounts: Mount[]): string[] {
  const points = mounts.filter((m) => m.fsType === 'tracefs').map((m) => m.mountPoint);
  return [...new Set(points)].sort((a, b) => Number(b === TRACEFS) - Number(a === TRACEFS));
}

export interface TracefsFacts {
  mountPoints: string[];
  /** Lines of available_events in the first mount point, or why it could not be read. */
  events: IoResult<number> | null;
  formatReadable: boolean;
  uid: number;
}

export function decideTracefs(f: TracefsFacts): CheckOutcome {
  const facts = { mountPoints: f.mountPoints.join(',') || null, events: f.events?.ok ? f.events.value : null };
  const mountFix = `mount -t tracefs nodev ${TRACEFS}   (\`npm start\` does this)`;
  if (!f.mountPoints.length) {
    return {
      status: 'missing', detail: 'tracefs is not mounted', facts,
      why: 'bpftrace, perf, trace-cmd and ktrace find no tracepoints, and lab containers get no /sys/kernel/tracing',
      fix: mountFix,
    };
  }
  const where = f.mountPoints[0]!;
  if (!f.events?.ok) {
    const denied = f.events && /EACCES|EPERM/.test(f.events.code);
    return {
      status: 'degraded', detail: `mounted at ${f.mountPoints.join(', ')}`, facts,
      why: denied
        ? `${where}/available_events is not readable by uid ${f.uid}; the runner and the labs run as root`
        : `${where}/available_events could not be read (${f.events?.message ?? 'not tried'})`,
      fix: denied ? 'run the runner and `labs doctor` as root' : mountFix,
    };
  }
  const detail = `mounted at ${f.mountPoints.join(', ')}; ${f.events.value} trace events listed`;
  if (!f.formatReadable) {
    return {
      status: 'degraded', detail, facts,
      why: `${where}/${SAMPLE_FORMAT} is not readable: bpftrace cannot read tracepoint arguments`,
      fix: `ls -l ${where}/events/sched/sched_switch/   (tracefs mounted with restrictive permissions? remount: umount ${where} && ${mountFix})`,
    };
  }
  if (!f.mountPoints.includes(TRACEFS)) {
    return {
      status: 'degraded', detail, facts,
      why: `only at ${where}: lab containers get it there, but tools and lab steps that use ${TRACEFS} do not find it`,
      fix: mountFix,
    };
  }
  return { status: 'ok', detail, why: null, fix: null, facts };
}

export async function readTracefsFacts(io: HostIo, uid: number): Promise<TracefsFacts> {
  const info = await io.readText('/proc/self/mountinfo');
  const mountPoints = info.ok ? tracefsMounts(parseMountinfo(info.value)) : [];
  if (!mountPoints.length) return { mountPoints, events: null, formatReadable: false, uid };
  const dir = mountPoints[0]!;
  const text = await io.readText(`${dir}/available_events`);
  const events: IoResult<number> = text.ok ? { ok: true, value: text.value.split('\n').filter(Boolean).length } : text;
  const format = await io.readText(`${dir}/${SAMPLE_FORMAT}`, 4096);
  return { mountPoints, events, formatReadable: format.ok && format.value.includes('format:'), uid };
}

export async function checkTracefs(io: HostIo, uid: number): Promise<CheckOutcome> {
  return decideTracefs(await readTracefsFacts(io, uid));
}
