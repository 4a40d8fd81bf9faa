// kdiag entry point: parse args, collect, recommend, print. Exit 0 whenever a
// report was produced, 2 on bad usage.
import os from 'node:os';
import { UsageError } from '../common/args.ts';
import { styleFor } from '../common/style.ts';
import { helpText, parseKdiagArgs } from './cli.ts';
import { collect } from './collect/all.ts';
import { recommend } from './recommend.ts';
import { renderReport } from './render/report.ts';
import { SCHEMA_VERSION, type Report } from './report.ts';

const EXIT_OK = 0;
const EXIT_USAGE = 2;

async function main(argv: readonly string[]): Promise<number> {
  let opts;
  try {
    opts = parseKdiagArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`kdiag: ${err.message}\nTry 'kdiag --help'.\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(helpText());
    return EXIT_OK;
  }
  const { sections, failures } = await collect(opts.sections, { intervalSeconds: opts.intervalSeconds });
  const report: Report = {
    tool: 'kdiag',
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    hostname: os.hostname(),
    sections,
    recommendations: recommend(sections),
  };
  for (const f of failures) process.stderr.write(`kdiag: ${f.source} failed: ${f.reason}\n`);
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report, styleFor(process.stdout)));
  return EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Last resort: a one-line message, never a stack trace (set KDIAG_DEBUG=1 for one).
    process.stderr.write(`kdiag: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env['KDIAG_DEBUG']) console.error(err);
    process.exitCode = 1;
  },
);
