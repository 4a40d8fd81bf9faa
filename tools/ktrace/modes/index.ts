import { biolatencyMode } from './biolatency.ts';
import { locksMode } from './locks.ts';
import { memleakMode } from './memleak.ts';
import { syscallsMode } from './syscalls.ts';
import type { ModeSpec } from './types.ts';

export const MODES: readonly ModeSpec[] = [syscallsMode, memleakMode, locksMode, biolatencyMode];

export function findMode(name: string): ModeSpec | undefined {
  return MODES.find((m) => m.name === name);
}
