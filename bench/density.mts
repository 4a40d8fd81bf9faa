// Density section of `npm run bench -- --density` (opt-in: it starts dozens of
// containers and takes minutes):
//  - how many idle container labs, each with an attached terminal, one runner
//    holds while its RSS stays under RSS_LIMIT_MIB (up to BENCH_DENSITY_MAX);
//  - start-to-prompt when CONCURRENT_STARTS labs start at the same moment.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import type { StartSessionResponse } from '../runner/src/common/protocol.ts';
import { median, percentile } from './stats.ts';

/** The runner's memory budget on a laptop that also runs a browser and the labs. */
export const RSS_LIMIT_MIB = 200;
/** The runner's default session limit (DEFAULT_MAX_SESSIONS): the most a runner may hold. */
const DEFAULT_MAX_LABS = 40;
/** A classroom hitting Start together, on one host. */
const CONCURRENT_STARTS = 10;
const PROMPT = /# $/m;
/** Per-lab time budget for start + prompt while dozens of containers exist. */
const START_TIMEOUT_MS = 120_000;

export interface DensityContext {
  url: string;
  token: string;
  runnerPid: number;
  lab: string;
  log: (line: string) => void;
}

export interface DensityRow { metric: string; value: number; unit: string; target: string; pass: boolean | null }

interface Held { sessionId: string; term: TerminalClient }

export async function densityBench(ctx: DensityContext): Promise<DensityRow[]> {
  const maxLabs = Number(process.env.BENCH_DENSITY_MAX ?? DEFAULT_MAX_LABS);
  // The lab's fault is meant to burn CPU; a held-but-idle lab has it stopped (lab-specific command).
  const idleCmd = process.env.BENCH_DENSITY_IDLE_CMD ?? (ctx.lab === 'syscall-storm' ? 'relayctl stop' : '');
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    const r = await fetch(`${ctx.url}${path}`, { method, headers: { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const startToPrompt = async (): Promise<{ held: Held; ms: number }> => {
    const t0 = performance.now();
    const s = (await call('POST', '/api/sessions?wait=1', { labId: ctx.lab })) as StartSessionResponse;
    const term = new TerminalClient({ url: ctx.url, sessionId: s.session.id, token: ctx.token });
    await term.opened;
    await term.waitFor(PROMPT, START_TIMEOUT_MS);
    return { held: { sessionId: s.session.id, term }, ms: performance.now() - t0 };
  };
  const release = async (held: Held[]): Promise<void> => {
    for (const h of held) h.term.close();
    // A few at a time: removing containers is Docker's slowest path.
    for (let i = 0; i < held.length; i += 5) await Promise.all(held.slice(i, i + 5).map((h) => call('DELETE', `/api/sessions/${h.sessionId}`).catch(() => {})));
  };

  const rows: DensityRow[] = [];
  // 1. Idle labs held under the RSS budget.
  const held: Held[] = [];
  // RSS with one lab, for comparison: garbage collection makes a per-lab slope meaningless.
  let first = NaN;
  let under = { labs: 0, rss: rssMiB(ctx.runnerPid) }, stoppedBy = `the ${maxLabs}-lab cap`;
  try {
    while (held.length < maxLabs) {
      let h: Held;
      try { h = (await startToPrompt()).held; } catch (e) { stoppedBy = `a failed start: ${(e as Error).message.slice(0, 160)}`; break; }
      held.push(h);
      if (idleCmd) await dockerExec(h.sessionId, idleCmd);
      const rss = rssMiB(ctx.runnerPid);
      if (held.length % 5 === 0) ctx.log(`density: ${held.length} idle labs, runner RSS ${rss.toFixed(0)} MiB`);
      if (rss >= RSS_LIMIT_MIB) { stoppedBy = `runner RSS reaching ${RSS_LIMIT_MIB} MiB`; break; }
      under = { labs: held.length, rss };
      if (held.length === 1) first = rss;
    }
  } finally {
    ctx.log(`density: held ${held.length} idle labs (stopped by ${stoppedBy}); releasing`);
    await release(held.splice(0));
  }
  rows.push({ metric: `density: idle labs held, runner RSS < ${RSS_LIMIT_MIB} MiB`, value: under.labs, unit: 'labs', target: `≥ ${maxLabs}`, pass: under.labs >= maxLabs });
  rows.push({ metric: 'density: runner RSS at that count', value: round(under.rss), unit: 'MiB', target: `< ${RSS_LIMIT_MIB}`, pass: under.rss < RSS_LIMIT_MIB });
  rows.push({ metric: 'density: runner RSS with 1 idle lab', value: round(first), unit: 'MiB', target: '', pass: null });

  // 2. Start-to-prompt with CONCURRENT_STARTS starts at once.
  const results = await Promise.allSettled(Array.from({ length: CONCURRENT_STARTS }, () => startToPrompt()));
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.length - ok.length;
  await release(ok.map((r) => r.held));
  const times = ok.map((r) => r.ms);
  ctx.log(`density: ${CONCURRENT_STARTS} concurrent starts: ${times.map((t) => t.toFixed(0)).join(', ')} ms${failed ? `, ${failed} failed` : ''}`);
  rows.push({ metric: `start-to-prompt, ${CONCURRENT_STARTS} concurrent, median`, value: round(median(times)), unit: 'ms', target: '', pass: null });
  rows.push({ metric: `start-to-prompt, ${CONCURRENT_STARTS} concurrent, p95`, value: round(percentile(times, 95)), unit: 'ms', target: '', pass: null });
  rows.push({ metric: `start-to-prompt, ${CONCURRENT_STARTS} concurrent, failed starts`, value: failed, unit: '', target: '0', pass: failed === 0 });
  return rows;
}

async function dockerExec(sessionId: string, command: string): Promise<void> {
  const id = (await run('docker', ['ps', '-q', '--filter', `label=kdlabs.session=${sessionId}`])).trim();
  if (id) await run('docker', ['exec', id, 'sh', '-c', command]);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const round = (v: number): number => Math.round(v * 100) / 100;
