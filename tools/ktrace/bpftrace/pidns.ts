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
// array at sizeof(struct pid) since Linux 6.5, `numbers[1]` (one entry inside
// the struct) before. BEGIN, which runs in bpftrace itself (a lab process),
// tries both against facts it knows: numbers[0].nr is its host tid, and the
// entry at its own level points to its own namespace. trace.ts then checks what
// the expressions made of bpftrace (SELF_* maps), so a kernel with yet another
// layout fails loudly instead of silently counting nothing.

/** The lab's namespace level, read in BEGIN from bpftrace itself. */
export const LAB_LEVEL_MAP = '@ktrace_lab_level';
/** Byte offset, from a struct pid, of its struct upid at the lab's level (set in BEGIN). */
export const UPID_AT_MAP = '@ktrace_upid_at';
/** bpftrace's own pid and pid namespace as these expressions see them; must be what ktrace sees. */
export const SELF_PID_MAP = '@ktrace_self_pid';
export const SELF_PIDNS_MAP = '@ktrace_self_pidns';

/** A task's `struct upid` at the lab's level. */
const upidAtLabLevel = (pidPtr: string) => `((struct upid *)((uint64)${pidPtr} + ${UPID_AT_MAP}))`;

/**
 * True when the current task lives in the lab's pid namespace or one nested
 * in it (a learner's own `unshare --pid` stays the lab's). Before BEGIN has
 * run the offset reads 0, which points at no namespace: nothing matches.
 */
export function inPidNamespace(inode: number): string {
  return `(curtask->thread_pid->level >= ${LAB_LEVEL_MAP} && ${upidAtLabLevel('curtask->thread_pid')}->ns->ns.inum == ${inode})`;
}

/** The current process's id in the lab's namespace (meaningful only where inPidNamespace holds). */
export const LAB_TGID = `${upidAtLabLevel('curtask->group_leader->thread_pid')}->nr`;

/** BEGIN statements: find where struct pid keeps the lab level's upid, and record what that makes of bpftrace. */
export function scopeBeginStatements(): string {
  const entry = (at: string, level?: string) => `((struct upid *)((uint64)curtask->thread_pid + ${at}${level === undefined ? '' : ` + sizeof(struct upid) * ${level}`}))`;
  return [
    `${LAB_LEVEL_MAP} = curtask->thread_pid->level;`,
    '$at = sizeof(struct pid);',
    `if ((uint64)${entry('$at')}->nr != tid || (uint64)${entry('$at', LAB_LEVEL_MAP)}->ns != (uint64)curtask->nsproxy->pid_ns_for_children) { $at = sizeof(struct pid) - sizeof(struct upid); }`,
    `${UPID_AT_MAP} = $at + sizeof(struct upid) * ${LAB_LEVEL_MAP};`,
    `${SELF_PID_MAP} = ${LAB_TGID};`,
    `${SELF_PIDNS_MAP} = ${upidAtLabLevel('curtask->thread_pid')}->ns->ns.inum;`,
  ].join(' ');
}

/**
 * Compares what the expressions made of bpftrace's own process with what ktrace
 * knows (its child's pid, its own namespace). Null when they agree or when
 * BEGIN never ran; otherwise why the lab filter cannot be trusted here.
 */
export function pidNamespaceMismatch(maps: ReadonlyMap<string, unknown>, expectedPid: number | null, expectedNs: number): string | null {
  const seenPid = maps.get(SELF_PID_MAP);
  const seenNs = maps.get(SELF_PIDNS_MAP);
  if (seenPid === undefined && seenNs === undefined) return null;
  if (seenNs === expectedNs && (expectedPid === null || seenPid === expectedPid)) return null;
  return (
    `the kernel's pid records did not read as expected: bpftrace saw itself as pid ${String(seenPid)} in pid namespace ${String(seenNs)}, ` +
    `but it is pid ${String(expectedPid)} in namespace ${expectedNs} (struct pid laid out differently on this kernel?)`
  );
}
