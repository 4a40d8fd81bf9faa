// The host report behind `labs doctor`, GET /api/doctor and the site's "This
// host" page: for each capability the labs and their tools rely on, whether it
// works on this host, why not, the exact fix, and which labs, tools and lab
// places (steps, hints, scripts) it affects. Shared by the runner, the CLI and
// the browser, so: types and pure helpers only.

/** The capabilities, in report order. */
export const CAPABILITIES = [
  { id: 'docker', title: 'Docker Engine' },
  { id: 'cgroups', title: 'cgroups' },
  { id: 'tracefs', title: 'tracefs' },
  { id: 'btf', title: 'BTF' },
  { id: 'kprobes', title: 'kprobes' },
  { id: 'uprobes', title: 'uprobes' },
  { id: 'perf-events', title: 'perf events' },
  { id: 'bcc-headers', title: 'BCC kernel headers' },
  { id: 'qemu', title: 'QEMU' },
  { id: 'kvm', title: 'KVM' },
  { id: 'chromium', title: 'Chromium' },
] as const;

export type CapabilityId = (typeof CAPABILITIES)[number]['id'];
export const CAPABILITY_IDS: readonly CapabilityId[] = CAPABILITIES.map((c) => c.id);

/** ok: works; degraded: works with a limit (the `why` names it); missing: does not work here. */
export type CapabilityStatus = 'ok' | 'degraded' | 'missing';

/**
 * What a lab loses when the capability is missing:
 *  - cannot-start: the lab's environment cannot run at all,
 *  - tool-fails: a tool the lab's steps, hints or scripts use fails,
 *  - slower: the lab works, only slower (TCG instead of KVM).
 */
export type LabImpact = 'cannot-start' | 'tool-fails' | 'slower';

export interface LabDependency {
  labId: string;
  title: string;
  impact: LabImpact;
  /** Why the lab depends on it, e.g. "backend: vm" or "bpftrace (step 2, task find-syscall hint 2)". */
  via: string;
}

/** A place in a lab that uses a tool depending on the capability. */
export interface LabPlace {
  labId: string;
  /** "step 3 (03-kernel.md)", "task find-syscall, hint 2", "check of task jvm-config", "setup.sh"… */
  where: string;
  tools: string[];
}

export interface Affects {
  labs: LabDependency[];
  /** Tools that need the capability (from the tool table), whether or not a lab uses them. */
  tools: string[];
  /** The lab steps, hints and scripts that use one of those tools. */
  hints: LabPlace[];
  /** Anything else that depends on it (the project's browser tests). */
  other: string[];
}

export type FactValue = string | number | boolean | null;

export interface DoctorCapability {
  id: CapabilityId;
  title: string;
  status: CapabilityStatus;
  /** What was found: a version, a mount point, a count. */
  detail: string;
  /** Why it is not ok; null when ok. */
  why: string | null;
  /** The command or change that fixes it; null when there is nothing to fix. */
  fix: string | null;
  /** At least one lab cannot start, or a tool one of them uses fails, without it. */
  needed: boolean;
  affects: Affects;
  /** Raw findings for scripts (versions, paths, flags). */
  facts: Record<string, FactValue>;
  /** How long the check took. */
  ms: number;
}

export interface DoctorReport {
  /** Bumped when a field changes meaning. */
  version: 1;
  generatedAt: string;
  host: { kernel: string; arch: string; os: string; cpus: number };
  /**
   * How VM labs run here: the QEMU accelerator and why (null: not known yet, the reason says why).
   * probed: the QEMU backend's own decision was asked (false: the VM image is not built yet, or it failed).
   */
  accel: { accel: 'kvm' | 'tcg' | null; reason: string; probed: boolean };
  capabilities: DoctorCapability[];
  /** Capabilities a lab needs that are missing; empty when every lab can run. */
  blocking: CapabilityId[];
  ok: boolean;
}

/** The capabilities that at least one lab needs and that do not work here. */
export function blockingCapabilities(caps: readonly Pick<DoctorCapability, 'id' | 'status' | 'needed'>[]): CapabilityId[] {
  return caps.filter((c) => c.needed && c.status === 'missing').map((c) => c.id);
}

/** Whether losing the capability stops a lab (as opposed to only slowing it). */
export function isNeeded(labs: readonly Pick<LabDependency, 'impact'>[]): boolean {
  return labs.some((l) => l.impact !== 'slower');
}

export const STATUS_MARK: Record<CapabilityStatus, string> = { ok: '✔', degraded: '▲', missing: '✘' };

/** Lab places grouped by lab, without file names: "gc-stall: step 3, stw-thread hint 2; syscall-storm: step 2". */
export function placesSummary(places: readonly LabPlace[]): string {
  const byLab = new Map<string, string[]>();
  for (const p of places) {
    const short = p.where.replace(/ \(.*\)$/, '').replace(/^task (\S+), hint (\d+)$/, '$1 hint $2').replace(/^check of task (\S+)$/, '$1 check');
    byLab.set(p.labId, [...(byLab.get(p.labId) ?? []), short]);
  }
  return [...byLab].map(([lab, where]) => `${lab}: ${where.join(', ')}`).join('; ');
}

/** One line naming what a capability affects, for tables: "labs: a, b · tools: x · in: a: step 2 · browser tests". */
export function affectsSummary(a: Affects): string {
  const parts: string[] = [];
  if (a.labs.length) parts.push(`labs: ${[...new Set(a.labs.map((l) => l.labId))].join(', ')}`);
  if (a.tools.length) parts.push(`tools: ${a.tools.join(', ')}`);
  if (a.hints.length) parts.push(`in ${placesSummary(a.hints)}`);
  parts.push(...a.other);
  return parts.join(' · ') || '—';
}

/** Why a capability does or does not count for the verdict, in a few words. */
export function neededNote(c: Pick<DoctorCapability, 'needed' | 'affects'>): string {
  if (c.needed) return 'labs need it';
  return c.affects.labs.length ? 'labs work without it, slower' : 'no lab needs it';
}
