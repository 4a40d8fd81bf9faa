// Checks that must pass before bpftrace can run a mode, with a fix for each.
// Fact gathering (I/O) is separate from evaluation (pure, unit-tested).
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { readText } from '../common/fsread.ts';
import { findTracefs } from '../common/tracefs.ts';

export interface Tracepoint {
  readonly category: string;
  readonly name: string;
}

export interface PreflightFacts {
  readonly bpftracePath: string | null;
  readonly euid: number;
  /** Effective capability mask from /proc/self/status, null if unreadable. */
  readonly capEff: bigint | null;
  readonly tracefs: string | null;
  /** "category:name" -> present in tracefs events/. */
  readonly tracepoints: ReadonlyMap<string, boolean>;
}

export interface PreflightIssue {
  readonly check: 'bpftrace' | 'privileges' | 'tracefs' | 'tracepoint' | 'scope';
  readonly message: string;
  readonly fix: string;
}

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

const hasCap = (mask: bigint, cap: bigint) => ((mask >> cap) & 1n) === 1n;

export const tpKey = (tp: Tracepoint) => `${tp.category}:${tp.name}`;

export function evaluatePreflight(facts: PreflightFacts, tracepoints: readonly Tracepoint[], missingHint: string): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  if (facts.bpftracePath === null) {
    issues.push({ check: 'bpftrace', message: 'bpftrace not found in PATH', fix: 'install it: `apt-get install -y bpftrace` (Debian/Ubuntu)' });
  }
  if (facts.euid !== 0) {
    issues.push({ check: 'privileges', message: `running as uid ${facts.euid}; bpftrace only runs as root`, fix: 'rerun with sudo (or as root inside the lab)' });
  } else if (facts.capEff !== null && !hasCap(facts.capEff, CAP_SYS_ADMIN) && !(hasCap(facts.capEff, CAP_BPF) && hasCap(facts.capEff, CAP_PERFMON))) {
    issues.push({
      check: 'privileges',
      message: 'root without CAP_SYS_ADMIN (or CAP_BPF + CAP_PERFMON): loading BPF programs will fail',
      fix: 'in a container grant them: docker run --cap-add SYS_ADMIN (or --cap-add BPF --cap-add PERFMON), or --privileged',
    });
  }
  if (facts.tracefs === null) {
    issues.push({ check: 'tracefs', message: 'tracefs is not mounted (no /sys/kernel/tracing/events)', fix: '`mount -t tracefs nodev /sys/kernel/tracing`' });
    return issues; // tracepoints cannot be checked without it
  }
  // tracefs is root-only (mode 700): a non-root user cannot see which events exist.
  if (facts.euid !== 0) return issues;
  const missing = tracepoints.filter((tp) => facts.tracepoints.get(tpKey(tp)) !== true);
  if (missing.length > 0) {
    issues.push({
      check: 'tracepoint',
      message: `tracepoint(s) missing on this kernel: ${missing.map(tpKey).join(', ')} (looked in ${facts.tracefs}/events/)`,
      fix: missingHint,
    });
  }
  return issues;
}

function findInPath(cmd: string, pathVar: string): string | null {
  for (const dir of pathVar.split(delimiter)) {
    if (dir !== '' && existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return null;
}

export function parseCapEff(status: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m?.[1] === undefined ? null : BigInt(`0x${m[1]}`);
}

export function gatherFacts(tracepoints: readonly Tracepoint[]): PreflightFacts {
  const tracefs = findTracefs();
  const status = readText('/proc/self/status');
  return {
    bpftracePath: findInPath('bpftrace', process.env['PATH'] ?? '/usr/bin:/bin'),
    euid: process.geteuid?.() ?? -1,
    capEff: status.ok ? parseCapEff(status.text) : null,
    tracefs,
    tracepoints: new Map(tracepoints.map((tp) => [tpKey(tp), tracefs !== null && existsSync(`${tracefs}/events/${tp.category}/${tp.name}`)])),
  };
}
