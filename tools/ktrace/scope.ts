// Which processes ktrace counts: this lab's (the default) or the whole host.
//
// Tracepoints fire for every task on the kernel, so a container lab sharing a
// host with other labs would otherwise count its neighbours' work. A lab is
// recognised by ktrace's own pid namespace (/proc/self/ns/pid), because that is
// the one boundary every lab has, however it is run:
//   - a container always gets its own pid namespace; its cgroup is no help on a
//     cgroup v1 (or hybrid) host, where containers stay in the root of the
//     unified hierarchy and bpftrace's `cgroup` (a cgroup v2 id) is the same
//     for all of them;
//   - in a VM lab the guest kernel runs only the lab, and its initial pid
//     namespace holds every process: "this lab" and "this kernel" coincide.
// Reading one symlink needs no root and no cgroup layout knowledge.
import { readlinkSync } from 'node:fs';
import { describeFsError } from '../common/fsread.ts';

/** PROC_PID_INIT_INO: the inode of the kernel's initial pid namespace (include/linux/proc_ns.h). */
export const INITIAL_PID_NS_INODE = 0xeffffffc;

export interface TraceScope {
  /** true: every process on the kernel (--all-host); false: only this lab's. */
  readonly hostWide: boolean;
  /** Inode of ktrace's own pid namespace: the lab's. */
  readonly pidNamespace: number;
}

export type ScopeRead = { readonly ok: true; readonly pidNamespace: number } | { readonly ok: false; readonly reason: string };

/** "pid:[4026532179]" -> 4026532179. */
export function parseNsLink(link: string): number | null {
  const m = /^pid:\[(\d+)\]$/.exec(link.trim());
  return m?.[1] === undefined ? null : Number(m[1]);
}

export function readOwnPidNamespace(path = '/proc/self/ns/pid'): ScopeRead {
  let link: string;
  try {
    link = readlinkSync(path);
  } catch (err) {
    return { ok: false, reason: `${path}: ${describeFsError(err)}` };
  }
  const inode = parseNsLink(link);
  return inode === null ? { ok: false, reason: `${path}: unexpected link '${link}'` } : { ok: true, pidNamespace: inode };
}

/** The one line every result starts with, so nobody mistakes a host-wide count for their lab's. */
export function describeScope(scope: TraceScope): string {
  if (scope.hostWide) return 'scope: WHOLE HOST (--all-host): every process on this kernel, other labs and learners included';
  if (scope.pidNamespace === INITIAL_PID_NS_INODE) {
    return `scope: this lab (pid namespace ${scope.pidNamespace}, the kernel's initial one: every process of this machine)`;
  }
  return `scope: this lab (pid namespace ${scope.pidNamespace}: this lab's processes only; --all-host for the whole host)`;
}

/** The scope as --json reports it. */
export function scopeJson(scope: TraceScope): { kind: 'lab' | 'host'; pidNamespace: number; summary: string } {
  return { kind: scope.hostWide ? 'host' : 'lab', pidNamespace: scope.pidNamespace, summary: describeScope(scope) };
}
