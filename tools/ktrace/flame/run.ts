// `ktrace flame`'s side effects: reading stdin or a file, running perf, writing.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { UsageError } from '../../common/args.ts';
import { styleFor } from '../../common/style.ts';
import { flamePicture } from '../pictures/flame.ts';
import { commandLine, saveAndAnnounce } from '../pictures/save.ts';
import { SpoolError } from '../pictures/spool.ts';
import { flameHelpText, parseFlameArgs, type FlameOptions } from './cli.ts';
import { foldPerfScript, formatFolded, looksFolded, parseFolded, type Folded } from './fold.ts';
import { labPids, readProc } from './lab.ts';
import { isPerfData, readHead } from './perfdata.ts';
import { renderSvg } from './svg.ts';
import { renderText } from './text.ts';
import { buildTree } from './tree.ts';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** perf script of a long recording runs to hundreds of MB. */
const MAX_SCRIPT_BYTES = 1 << 30;
/** Shown pids in the "recording" line; a VM guest has hundreds. */
const PIDS_SHOWN = 12;

class FlameError extends Error {}

/** `perf script -i FILE`'s text; a clear error for a file perf cannot read or one without samples. */
function perfScript(data: string, what: string): string {
  const script = spawnSync('perf', ['script', '-i', data], { encoding: 'utf8', maxBuffer: MAX_SCRIPT_BYTES, stdio: ['ignore', 'pipe', 'pipe'] });
  if (script.error) throw new FlameError(`cannot run perf script: ${script.error.message} (is linux-perf installed?)`);
  if (script.status !== 0) throw new FlameError(`perf script -i ${what} failed (exit ${script.status ?? 'signal'}):\n${script.stderr.trim()}`);
  if (script.stdout.trim() === '') throw new FlameError(`${what} has no samples (perf script printed nothing): record longer, or while the program is busy`);
  return script.stdout;
}

/** Records the processes with perf and returns `perf script`'s text. */
function record(opts: FlameOptions, pids: readonly number[], what: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ktrace-flame-'));
  const data = join(dir, 'perf.data');
  try {
    process.stderr.write(`ktrace flame: perf record -g ${what} for ${opts.durationSeconds} s at ${opts.frequency} Hz...\n`);
    const rec = spawnSync('perf', ['record', '-q', '-F', String(opts.frequency), '-g', '-p', pids.join(','), '-o', data, '--', 'sleep', String(opts.durationSeconds)], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (rec.error) throw new FlameError(`cannot run perf: ${rec.error.message} (is linux-perf installed?)`);
    if (rec.status !== 0) throw new FlameError(`perf record failed (exit ${rec.status ?? 'signal'}):\n${rec.stderr.trim()}`);
    return perfScript(data, 'the recording');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every process of this lab; listed again once if one exits before perf attaches. */
function recordLab(opts: FlameOptions): string {
  const list = () => labPids(readProc(), process.pid);
  const pids = list();
  if (pids.length === 0) throw new FlameError('no processes to record in this lab (only kernel threads and ktrace itself)');
  const shown = pids.length <= PIDS_SHOWN ? pids.join(',') : `${pids.slice(0, PIDS_SHOWN).join(',')},… (${pids.length} processes)`;
  try {
    return record(opts, pids, `-p ${shown}`);
  } catch (err) {
    const again = list();
    if (!(err instanceof FlameError) || again.join(',') === pids.join(',') || again.length === 0) throw err;
    return record(opts, again, `-p ${again.join(',')} (a process had exited)`);
  }
}

/** Reads all of stdin; readFileSync(0) fails with EAGAIN when stdin is a non-blocking pipe. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function readInputFile(path: string): string {
  try {
    if (statSync(path).size === 0) throw new FlameError(`${path} is empty (a perf.data file is empty when perf record stopped before it wrote anything)`);
    if (isPerfData(readHead(path))) return perfScript(path, path);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof FlameError) throw err;
    throw new FlameError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readInput(opts: FlameOptions): Promise<string> {
  if (opts.pid !== undefined) return record(opts, [opts.pid], `-p ${opts.pid}`);
  if (opts.lab) return recordLab(opts);
  if (opts.input !== undefined) return readInputFile(opts.input);
  if (process.stdin.isTTY) throw new UsageError('nothing to read: pipe `perf script` into ktrace flame, or give --pid PID, --lab or --input FILE');
  return readStdin();
}

/** The picture's title when --title is not given: where the stacks came from. */
export function defaultTitle(opts: Pick<FlameOptions, 'pid' | 'lab' | 'input' | 'durationSeconds'>): { title: string; what: string } {
  if (opts.lab) return { title: `Profile of this lab — ${opts.durationSeconds} s`, what: 'lab' };
  if (opts.pid !== undefined) return { title: `Profile of pid ${opts.pid} — ${opts.durationSeconds} s`, what: `pid-${opts.pid}` };
  if (opts.input !== undefined) return { title: `perf stacks from ${basename(opts.input)}`, what: basename(opts.input) };
  return { title: 'perf stacks from perf script', what: 'perf-script' };
}

function save(opts: FlameOptions, folded: Folded, argv: readonly string[]): void {
  const { title, what } = defaultTitle(opts);
  saveAndAnnounce(flamePicture(folded, opts.title ?? title, commandLine(['flame', ...argv]), Date.now()), opts.title ?? what);
}

export async function runFlame(argv: readonly string[]): Promise<number> {
  try {
    const opts = parseFlameArgs(argv);
    if (opts.help) {
      process.stdout.write(flameHelpText());
      return EXIT_OK;
    }
    const text = await readInput(opts);
    const folded = looksFolded(text) ? parseFolded(text) : foldPerfScript(text);
    if (opts.save) {
      if (folded.size === 0) throw new FlameError('no stacks to save: the input held no samples');
      save(opts, folded, argv);
    }
    if (opts.folded) {
      process.stdout.write(formatFolded(folded));
      return EXIT_OK;
    }
    const root = buildTree(folded);
    const svgOpts = opts.title === undefined ? {} : { title: opts.title };
    if (opts.svg) {
      process.stdout.write(renderSvg(root, svgOpts));
      return EXIT_OK;
    }
    if (opts.output !== undefined) {
      writeFileSync(opts.output, renderSvg(root, svgOpts));
      process.stderr.write(`ktrace flame: wrote ${opts.output} (${root.total} samples)\n`);
    }
    const columns = process.stdout.columns ?? 104;
    const lines = renderText(folded, root, { top: opts.top, minPercent: opts.minPercent, columns }, styleFor(process.stdout));
    process.stdout.write(lines.join('\n') + '\n');
    return root.total > 0 ? EXIT_OK : EXIT_FAILED;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ktrace flame: ${err.message}\nTry 'ktrace flame --help'.\n`);
      return EXIT_USAGE;
    }
    if (err instanceof FlameError || err instanceof SpoolError) {
      process.stderr.write(`ktrace flame: ${err.message}\n`);
      return EXIT_FAILED;
    }
    throw err;
  }
}
