// Where tracefs is mounted. Read from mountinfo, which any user can read:
// tracefs itself is mode 700, so probing its files as non-root would
// wrongly report "not mounted".
import { existsSync } from 'node:fs';
import { readText } from './fsread.ts';

export const TRACEFS_DIRS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] as const;

export function tracefsFromMountinfo(mountinfo: string): string | null {
  const points = mountinfo
    .split('\n')
    .filter((l) => / - tracefs /.test(l))
    .map((l) => l.split(' ')[4] ?? '');
  return TRACEFS_DIRS.find((d) => points.includes(d)) ?? points[0] ?? null;
}

export function findTracefs(): string | null {
  const mi = readText('/proc/self/mountinfo');
  return (mi.ok ? tracefsFromMountinfo(mi.text) : null) ?? TRACEFS_DIRS.find((d) => existsSync(`${d}/events`)) ?? null;
}
