// `kdiag hardware`: memory-controller (EDAC) error counters, mcelog, and
// MCE lines in the kernel log. Most VMs have none of these: say so plainly.
import { existsSync } from 'node:fs';
import { type SourceProblem, listDir, readInt, readText } from '../../common/fsread.ts';
import { LOG_PATTERNS } from '../parse/klog.ts';
import { readKernelLog } from './klog-source.ts';

const EDAC_DIR = '/sys/devices/system/edac/mc';
const MCELOG_FILE = '/var/log/mcelog';
/** Latest MCE log lines shown. */
const MCE_LATEST = 5;

export interface EdacController {
  readonly name: string;
  readonly correctable: number | null;
  readonly uncorrectable: number | null;
}

export interface HardwareSection {
  readonly edac: { readonly available: boolean; readonly controllers: EdacController[] };
  readonly mcelog: { readonly available: boolean; readonly lines: number };
  readonly kernelLogMce: { readonly available: boolean; readonly count: number; readonly latest: string[] };
  readonly problems: SourceProblem[];
}

export function collectHardware(): HardwareSection {
  const problems: SourceProblem[] = [];
  const edacPresent = existsSync(EDAC_DIR);
  const controllers = edacPresent
    ? listDir(EDAC_DIR, problems)
        .filter((d) => /^mc\d+$/.test(d))
        .map((name) => ({
          name,
          correctable: readInt(`${EDAC_DIR}/${name}/ce_count`, problems) ?? null,
          uncorrectable: readInt(`${EDAC_DIR}/${name}/ue_count`, problems) ?? null,
        }))
    : [];

  const mcelog = readText(MCELOG_FILE);
  if (!mcelog.ok && !mcelog.problem.reason.startsWith('not present')) problems.push(mcelog.problem);

  const log = readKernelLog();
  const mcePattern = LOG_PATTERNS.find((p) => p.id === 'mce');
  const mceLines = log.ok && mcePattern ? log.lines.filter((l) => mcePattern.regex.test(l)) : [];
  if (!log.ok) problems.push({ source: 'kernel log', reason: log.reasons.join('; ') });

  return {
    edac: { available: edacPresent && controllers.length > 0, controllers },
    mcelog: { available: mcelog.ok, lines: mcelog.ok ? mcelog.text.split('\n').filter((l) => l.trim() !== '').length : 0 },
    kernelLogMce: { available: log.ok, count: mceLines.length, latest: mceLines.slice(-MCE_LATEST) },
    problems,
  };
}
