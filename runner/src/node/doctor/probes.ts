// kprobes and uprobes: can one be attached here? The check creates a probe
// through tracefs (kprobe_events / uprobe_events) and removes it at once. The
// kernel resolves and registers the probe on creation (disabled, so it never
// fires); a kernel without kprobes has no kprobe_events at all. Appending
// matters: a plain write to *_events clears every probe on the host.
import type { CheckOutcome } from './check.ts';
import type { HostIo, IoResult } from './host-io.ts';
import { parseMountinfo } from './mountinfo.ts';
import { tracefsMounts } from './tracefs.ts';

/** A function every kernel has and that kprobes may probe. */
export const KPROBE_TARGET = 'vfs_read';
/** Any executable on every Debian host; the probe is never enabled, so the offset is not run. */
export const UPROBE_TARGET = '/bin/true';
/** The event group of the doctor's short-lived probes, so a leftover is easy to recognise. */
export const PROBE_GROUP = 'kdlabs_doctor';

export type ProbeKind = 'kprobe' | 'uprobe';

export interface ProbeFacts {
  kind: ProbeKind;
  /** tracefs mount used, or null when tracefs is not mounted. */
  tracefs: string | null;
  /** `<tracefs>/<kind>_events` exists. */
  eventsFile: boolean;
  /** /sys/bus/event_source/devices/<kind> exists (the PMU BPF tools attach through). */
  pmu: boolean;
  /** Creating the probe: null when not tried. */
  created: IoResult<true> | null;
  /** Removing it again: null when not tried. */
  removed: IoResult<true> | null;
  uid: number;
}

const KPROBE_TOOLS = 'bpftrace kprobe:/kretprobe: probes, `perf probe`, and BCC tools that attach kprobes';
const UPROBE_TOOLS = 'bpftrace uprobe:/uretprobe:/usdt: probes, `perf probe -x`, and BCC tools such as funclatency on user functions';

export function decideProbe(f: ProbeFacts): CheckOutcome {
  const file = f.tracefs ? `${f.tracefs}/${f.kind}_events` : `${f.kind}_events`;
  const facts = { eventsFile: f.eventsFile, pmu: f.pmu, created: f.created?.ok ?? null, removed: f.removed?.ok ?? null };
  const tools = f.kind === 'kprobe' ? KPROBE_TOOLS : UPROBE_TOOLS;
  const target = f.kind === 'kprobe' ? KPROBE_TARGET : UPROBE_TARGET;
  const config = f.kind === 'kprobe' ? 'CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y' : 'CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y';
  if (f.created?.ok) {
    const leftover = f.removed && !f.removed.ok ? ` (removing it failed: ${f.removed.message}; remove it with: echo '-:${PROBE_GROUP}/*' >> ${file})` : '';
    return { status: 'ok', detail: `a ${f.kind} on ${target} was created and removed through ${file}${leftover}`, why: null, fix: null, facts };
  }
  if (!f.tracefs) {
    if (f.pmu) {
      return {
        status: 'degraded', detail: `the ${f.kind} PMU exists; not tried (tracefs is not mounted)`, facts,
        why: 'without tracefs the check cannot attach a probe, and `perf probe` and trace-cmd cannot either',
        fix: 'mount -t tracefs nodev /sys/kernel/tracing',
      };
    }
    return {
      status: 'degraded', detail: 'not tried: tracefs is not mounted', facts,
      why: `no ${f.kind} PMU either, so the kernel probably has no ${f.kind}s`,
      fix: 'mount -t tracefs nodev /sys/kernel/tracing, then run `labs doctor` again',
    };
  }
  if (!f.eventsFile && !f.pmu) {
    return {
      status: 'missing', detail: `no ${file} and no ${f.kind} PMU`, facts,
      why: `this kernel has no ${f.kind}s: ${tools} fail`,
      fix: f.kind === 'kprobe'
        ? 'use tracepoints instead (`bpftrace -l \'tracepoint:*\'`, `ktrace`; every lab does), or fentry probes (`bpftrace -e \'kfunc:vfs_read { … }\'`) where BTF and BPF trampolines work; for kprobes themselves boot a kernel built with ' + config
        : `boot a kernel built with ${config} (every Debian kernel has them)`,
    };
  }
  if (f.created && !f.created.ok && /EACCES|EPERM/.test(f.created.code) && f.uid !== 0) {
    return {
      status: 'degraded', detail: `${file} exists; not tried as uid ${f.uid}`, facts,
      why: 'only root may create probes; the runner and the labs run as root',
      fix: 'run `labs doctor` as root',
    };
  }
  const reason = f.created ? `${f.created.code}: ${f.created.message}` : `${file} is missing (only the PMU exists)`;
  return {
    status: 'degraded', detail: f.eventsFile ? `${file} exists` : `the ${f.kind} PMU exists`, facts,
    why: `creating a ${f.kind} on ${target} failed (${reason}); ${tools} may fail too`,
    fix: `cat ${f.tracefs}/error_log   (names why the kernel refused the probe)`,
  };
}

let seq = 0;

/** Creates a disabled probe and removes it; a unique name keeps concurrent doctors apart. */
export async function readProbeFacts(io: HostIo, kind: ProbeKind, pid: number, uid: number): Promise<ProbeFacts> {
  const info = await io.readText('/proc/self/mountinfo');
  const tracefs = (info.ok ? tracefsMounts(parseMountinfo(info.value)) : [])[0] ?? null;
  const pmu = await io.exists(`/sys/bus/event_source/devices/${kind}`);
  const file = tracefs ? `${tracefs}/${kind}_events` : null;
  const eventsFile = file ? await io.exists(file) : false;
  if (!file || !eventsFile) return { kind, tracefs, eventsFile, pmu, created: null, removed: null, uid };
  const name = `${PROBE_GROUP}/${kind[0]}${pid}_${++seq}`;
  const created = await io.append(file, `p:${name} ${kind === 'kprobe' ? KPROBE_TARGET : `${UPROBE_TARGET}:0x0`}\n`);
  const removed = created.ok ? await io.append(file, `-:${name}\n`) : null;
  return { kind, tracefs, eventsFile, pmu, created, removed, uid };
}

export async function checkProbe(io: HostIo, kind: ProbeKind, pid: number, uid: number): Promise<CheckOutcome> {
  return decideProbe(await readProbeFacts(io, kind, pid, uid));
}
