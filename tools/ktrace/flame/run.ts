// `ktrace flame`'s side effects: reading stdin or a file, running perf, writing.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../common/args.ts';
import { styleFor } from '../../common/style.ts';
import { flameHelpText, parseFlameArgs, type FlameOptions } from './cli.ts';
import { foldPerfScript, formatFolded, looksFolded, parseFolded } from './fold.ts';
import { renderSvg } from './svg.ts';
import { renderText } from './text.ts';
import { buildTree } from './tree.ts';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** perf script of a long recording runs to hundreds of MB. */
const MAX_SCRIPT_BYTES = 1 << 30;

class FlameError extends Error {}

/** Records the process with perf and returns `perf script`'s text. */
function recordPid(opts: FlameOptions, pid: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'ktrace-flame-'));
  const data = join(dir, 'perf.data');
  try {
    process.stderr.write(`ktrace flame: perf record -g -p ${pid} for ${opts.durationSeconds} s at ${opts.frequency} Hz...\n`);
    const rec = spawnSync('perf', ['record', '-q', '-F', String(opts.frequency), '-g', '-p', String(pid), '-o', data, '--', 'sleep', String(opts.durationSeconds)], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (rec.error) throw new FlameError(`cannot run perf: ${rec.error.message} (is linux-perf installed?)`);
    if (rec.status !== 0) throw new FlameError(`perf record failed (exit ${rec.status ?? 'signal'}):\n${rec.stderr.trim()}`);
    const script = spawnSync('perf', ['script', '-i', data], { encoding: 'utf8', maxBuffer: MAX_SCRIPT_BYTES, stdio: ['ignore', 'pipe', 'pipe'] });
    if (script.error) throw new FlameError(`perf script failed: ${script.error.message}`);
    if (script.status !== 0) throw new FlameError(`perf script failed (exit ${script.status ?? 'signal'}):\n${script.stderr.trim()}`);
    return script.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads all of stdin; readFileSync(0) fails with EAGAIN when stdin is a non-blocking pipe. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(opts: FlameOptions): Promise<string> {
  if (opts.pid !== undefined) return recordPid(opts, opts.pid);
  if (opts.input !== undefined) {
    try {
      return readFileSync(opts.input, 'utf8');
    } catch (err) {
      throw new FlameError(`cannot read ${opts.input}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (process.stdin.isTTY) throw new UsageError('nothing to read: pipe `perf script` into ktrace flame, or give --pid PID');
  return readStdin();
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
    if (err instanceof FlameError) {
      process.stderr.write(`ktrace flame: ${err.message}\n`);
      return EXIT_FAILED;
    }
    throw err;
  }
}
