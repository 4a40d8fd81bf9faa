// The doctor's report as a plain-text table for a terminal: capability,
// status, detail (and why not), fix, affects — cells wrapped to the width.
import { affectsSummary, neededNote, STATUS_MARK, type DoctorReport } from '../../common/doctor.ts';

/** Narrower than this the table is unreadable anyway; wider lines are hard to follow. */
const MIN_WIDTH = 80;
const MAX_WIDTH = 180;
const GAP = '  ';
/** Shares of the width left after the two fixed columns: detail, fix, affects. */
const SHARES = [0.4, 0.32, 0.28] as const;

/** Words of `text` in lines of at most `width` characters; longer words are cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (let word of para.split(/\s+/).filter(Boolean)) {
      while (word.length > width) {
        if (line) { lines.push(line); line = ''; }
        lines.push(word.slice(0, width));
        word = word.slice(width);
      }
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else { lines.push(line); line = word; }
    }
    if (line) lines.push(line);
  }
  return lines.length ? lines : [''];
}

export function renderDoctorText(report: DoctorReport, columns = 120): string {
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, columns));
  const capW = Math.max(10, ...report.capabilities.map((c) => c.title.length));
  const statusW = '▲ degraded'.length;
  const rest = width - capW - statusW - GAP.length * 4;
  const [detailW, fixW] = SHARES.map((s) => Math.floor(rest * s)) as [number, number, number];
  const affectsW = rest - detailW - fixW;
  const widths = [capW, statusW, detailW, fixW, affectsW];

  const row = (cells: string[][]): string[] => {
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, i) => cells.map((c, j) => (c[i] ?? '').padEnd(widths[j]!)).join(GAP).trimEnd());
  };
  const out: string[] = [];
  out.push(`Host: ${report.host.os}, kernel ${report.host.kernel}, ${report.host.arch}, ${report.host.cpus} CPUs`);
  out.push(`VM labs: ${report.accel.accel ? report.accel.accel.toUpperCase() : 'accelerator not known yet'} — ${report.accel.reason}`);
  out.push('');
  out.push(...row(['CAPABILITY', 'STATUS', 'DETAIL', 'FIX', 'AFFECTS'].map((h) => [h])));
  out.push(widths.map((w) => '─'.repeat(w)).join(GAP));
  for (const c of report.capabilities) {
    const detail = c.why ? `${c.detail}\nwhy: ${c.why}` : c.detail;
    out.push(...row([
      wrap(c.title, capW),
      [`${STATUS_MARK[c.status]} ${c.status}`],
      wrap(detail, detailW),
      wrap(c.fix ?? '—', fixW),
      wrap(`${affectsSummary(c.affects)}\n(${neededNote(c)})`, affectsW),
    ]));
    out.push('');
  }
  out.push(report.ok
    ? 'Every capability a lab needs works here.'
    : `Labs cannot run fully here: ${report.blocking.join(', ')} ${report.blocking.length > 1 ? 'are' : 'is'} missing (see FIX above).`);
  return `${out.join('\n')}\n`;
}
