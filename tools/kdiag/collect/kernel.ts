// `kdiag kernel`: what kernel is running, how it was booted, and whether it is tainted.
import os from 'node:os';
import { type SourceProblem, readTrimmed, readInt } from '../../common/fsread.ts';
import { decodeTaint, type TaintFlag } from '../parse/taint.ts';

export interface KernelSection {
  readonly release: string;
  readonly version: string;
  readonly machine: string;
  readonly hostname: string;
  readonly cmdline: string | null;
  readonly uptimeSeconds: number | null;
  readonly tainted: { readonly value: number; readonly flags: TaintFlag[] } | null;
  readonly problems: SourceProblem[];
}

export function collectKernel(): KernelSection {
  const problems: SourceProblem[] = [];
  const cmdline = readTrimmed('/proc/cmdline', problems) ?? null;
  const uptimeText = readTrimmed('/proc/uptime', problems);
  const taintValue = readInt('/proc/sys/kernel/tainted', problems);
  return {
    release: os.release(),
    version: os.version(),
    machine: os.machine(),
    hostname: os.hostname(),
    cmdline,
    uptimeSeconds: uptimeText === undefined ? null : Number(uptimeText.split(/\s+/)[0]),
    tainted: taintValue === undefined ? null : { value: taintValue, flags: decodeTaint(taintValue) },
    problems,
  };
}
