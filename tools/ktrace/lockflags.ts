// lock:contention_begin "flags" bits (include/trace/events/lock.h, LCB_F_*).

const LCB_FLAGS: readonly (readonly [number, string])[] = [
  [1 << 0, 'SPIN'],
  [1 << 1, 'READ'],
  [1 << 2, 'WRITE'],
  [1 << 3, 'RT'],
  [1 << 4, 'PERCPU'],
  [1 << 5, 'MUTEX'],
];

/** e.g. 0x22 -> "READ|MUTEX"; 0 -> "none". */
export function decodeLockFlags(flags: number): string {
  const names = LCB_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
  return names.length === 0 ? 'none' : names.join('|');
}

/** Friendlier lock kind from the flag combination. */
export function lockKind(flags: number): string {
  const f = decodeLockFlags(flags);
  switch (f) {
    case 'SPIN':
      return 'spinlock';
    case 'MUTEX':
      return 'mutex (sleeping)';
    case 'SPIN|MUTEX':
      return 'mutex (optimistic spin)';
    case 'READ':
      return 'rwsem read';
    case 'WRITE':
      return 'rwsem write';
    case 'SPIN|READ':
      return 'rwlock read';
    case 'SPIN|WRITE':
      return 'rwlock write';
    case 'READ|PERCPU':
      return 'percpu-rwsem read';
    case 'WRITE|PERCPU':
      return 'percpu-rwsem write';
    case 'RT':
      return 'rt-mutex';
    default:
      return f;
  }
}
