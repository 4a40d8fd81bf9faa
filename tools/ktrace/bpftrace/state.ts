// ktrace's own bookkeeping inside the generated programs, kept in one map:
// bpftrace 0.17 gives every map, even a scalar one, BPFTRACE_MAP_KEYS_MAX
// slots, and memleak raises that (see LIVE_MAP_ENTRIES), so each extra map
// costs megabytes charged to the lab's memory limit.

/** When tracing started (nsecs in BEGIN). */
export const STATE_START_NS = '@ktrace[0]';
/** The lab's pid namespace level and where its upid sits (pidns.ts). */
export const STATE_LAB = '@ktrace[1]';
export const STATE_MAP = '@ktrace';
