// bpftrace expressions that place the current task relative to the lab's pid
// namespace, and give its process id as the lab sees it.
//
// bpftrace's `pid` is the thread-group id in the kernel's initial namespace (a
// host pid); inside a container the learner knows other numbers. Every task
// has one `struct upid { int nr; struct pid_namespace *ns; }` per namespace
// level, from the initial one (0) down to its own (`thread_pid->level`), in
// `struct pid.numbers[]`. bpftrace 0.17 (Debian 12) cannot index it with a
// variable (nor a flexible array at all: "array of size 0"), so the entry is
// reached by address. Where the array starts depends on the kernel: a flexible
// array at sizeof(struct pid) on recent ones, `numbers[1]` (one entry inside
// the struct) on older ones such as Debian 12's 6.1. BEGIN, which runs in bpftrace itself (a lab process),
// tries both against facts it knows: numbers[0].nr is its host tid, and the
// entry at its own level points to its own namespace. It then prints what the
// expressions make of bpftrace itself, and trace.ts compares that with what it
// knows, so a kernel with yet another layout fails loudly instead of silently
// counting nothing.

import { STATE_LAB } from './state.ts';

/** STATE_LAB holds (byte offset of the lab level's upid from a struct pid) << LEVEL_BITS | level; levels fit in 8 bits (MAX_PID_NS_LEVEL is 32). */
const LEVEL_BITS = 8;
const LAB_LEVEL = `(${STATE_LAB} & 0xff)`;
const UPID_AT = `(${STATE_LAB} >> ${LEVEL_BITS})`;
/** BEGIN's report on bpftrace itself: its lab pid and pid namespace inode. */
const SELF_REPORT = /^ktrace-self pid=(-?\d+) pidns=(\d+)$/m;

/** A task's `struct upid` at the lab's level. */
const upidAtLabLevel = (pidPtr: string) => `((struct upid *)((uint64)${pidPtr} + ${UPID_AT}))`;

/**
 * True when the current task lives in the lab's pid namespace or one nested
 * in it (a learner's own `unshare --pid` stays the lab's). Before BEGIN has
 * run the offset reads 0, which points at no namespace: nothing matches.
 */
export function inPidNamespace(inode: number): string {
  return `(curtask->thread_pid->level >= ${LAB_LEVEL} && ${upidAtLabLevel('curtask->thread_pid')}->ns->ns.inum == ${inode})`;
}

/** The current process's id in the lab's namespace (meaningful only where inPidNamespace holds). */
export const LAB_TGID = `${upidAtLabLevel('curtask->group_leader->thread_pid')}->nr`;

/** BEGIN statements: find where struct pid keeps the lab level's upid, and report what that makes of bpftrace. */
export function scopeBeginStatements(): string {
  const entry = (at: string, level?: string) => `((struct upid *)((uint64)curtask->thread_pid + ${at}${level === undefined ? '' : ` + sizeof(struct upid) * ${level}`}))`;
  return [
    '$level = (uint64)curtask->thread_pid->level;',
    '$at = sizeof(struct pid);',
    `if ((uint64)${entry('$at')}->nr != tid || (uint64)${entry('$at', '$level')}->ns != (uint64)curtask->nsproxy->pid_ns_for_children) { $at = sizeof(struct pid) - sizeof(struct upid); }`,
    `${STATE_LAB} = (($at + sizeof(struct upid) * $level) << ${LEVEL_BITS}) | $level;`,
    `printf("ktrace-self pid=%d pidns=%u\\n", ${LAB_TGID}, ${upidAtLabLevel('curtask->thread_pid')}->ns->ns.inum);`,
  ].join(' ');
}

/**
 * Compares BEGIN's report on bpftrace (printf lines) with what ktrace knows
 * (its child's pid, its own namespace). Null when they agree or when BEGIN
 * never ran; otherwise why the lab filter cannot be trusted here.
 */
export function pidNamespaceMismatch(printed: readonly string[], expectedPid: number | null, expectedNs: number): string | null {
  const m = printed.map((l) => SELF_REPORT.exec(l)).find((x) => x !== null);
  if (m === undefined || m === null) return null;
  const [seenPid, seenNs] = [Number(m[1]), Number(m[2])];
  if (seenNs === expectedNs && (expectedPid === null || seenPid === expectedPid)) return null;
  return (
    `the kernel's pid records did not read as expected: bpftrace saw itself as pid ${seenPid} in pid namespace ${seenNs}, ` +
    `but it is pid ${String(expectedPid)} in namespace ${expectedNs} (struct pid laid out differently on this kernel?)`
  );
}
