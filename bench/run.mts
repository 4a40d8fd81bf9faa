// `npm run bench`: speed of the runner against its targets, as a JSON file
// (bench/results/latest.json) and a table. Not a test: numbers vary by machine.
//
//  - start-to-prompt of a container lab on a warm image (median, p95)
//  - keystroke echo round trip through the runner's WebSocket, and through a
//    plain `docker exec -it` in a local pty as the baseline, in the same run
//  - output throughput with flow control, runner RSS during a `yes` flood,
//    and how fast Ctrl-C ends the flood
//  - with --density (opt-in, minutes): idle labs one runner holds under 200 MB
//    RSS, and start-to-prompt at 10 concurrent starts (bench/density.mts)
//  - VM labs: start-to-prompt of a QEMU lab VM, KVM or TCG (bench/vm-boot.mts; BENCH_VM=0 skips)
//  - VM labs: cold boot against restore from a saved state, side by side (bench/vm-restore.mts; BENCH_VM_RESTORE=0 skips)
//  - with --swarm (alone, minutes): container labs on a two-node swarm made here,
//    start-to-prompt and 20 concurrent starts next to the runner's own engine (bench/swarm.mts)
//  - with --first-start (alone, minutes): a newcomer's wait on a Docker Engine with no
//    images yet: the site answering, the first lab's prompt, every image ready (bench/first-start.mts)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import type { StartSessionResponse } from '../runner/src/common/protocol.ts';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { median, percentile } from './stats.ts';
import { densityBench } from './density.mts';
import { vmBootBench } from './vm-boot.mts';
import { vmRestoreBench } from './vm-restore.mts';
import { firstStartBench } from './first-start.mts';
import { swarmBench } from './swarm.mts';

const LAB = process.env.BENCH_LAB ?? 'syscall-storm';
const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 7);
const ECHO_SAMPLES = Number(process.env.BENCH_ECHO_SAMPLES ?? 200);
const FLOOD_SECONDS = 5;
const PROMPT = /# $/m;
const DENSITY = process.argv.includes('--density') || process.env.BENCH_DENSITY === '1';

interface Row { metric: string; value: number; unit: string; target: string; pass: boolean | null }

async function main(): Promise<void> {
  if (process.argv.includes('--swarm')) {
    const rows = await swarmBench(log);
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'swarm.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
    printTable(rows);
    console.log(`\nJSON: bench/results/swarm.json`);
    return;
  }
  if (process.argv.includes('--first-start')) {
    const rows = await firstStartBench(log);
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'first-start.json'), `${JSON.stringify({ date: new Date().toISOString(), lab: LAB, node: process.version, rows }, null, 2)}\n`);
    printTable(rows);
    console.log(`\nJSON: bench/results/first-start.json`);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-bench-'));
  const runner = spawn(process.execPath, [join(REPO_ROOT, 'runner/bin/labs.mjs'), 'serve', '--port', '0', '--name', `bench-${process.pid}`], {
    env: { ...process.env, KDLABS_DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  const rows: Row[] = [];
  try {
    const info = await until(() => existsSync(join(dataDir, 'runner.json')) ? JSON.parse(readFileSync(join(dataDir, 'runner.json'), 'utf8')) as { url: string } : undefined, 30_000);
    const token = readFileSync(join(dataDir, 'owner-token'), 'utf8').trim();
    const call = async (method: string, path: string, body?: unknown): Promise<any> => {
      const r = await fetch(`${info.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    log(`runner pid ${runner.pid} at ${info.url}; warming the image`);
    const warm = (await call('POST', '/api/sessions?wait=1', { labId: LAB })) as StartSessionResponse;
    await call('DELETE', `/api/sessions/${warm.session.id}`);

    // 1. start-to-prompt
    const starts: number[] = [];
    for (let i = 0; i < START_RUNS; i++) {
      const t0 = performance.now();
      const s = (await call('POST', '/api/sessions?wait=1', { labId: LAB })) as StartSessionResponse;
      const term = new TerminalClient({ url: info.url, sessionId: s.session.id, token });
      await term.opened;
      await term.waitFor(PROMPT, 15_000);
      starts.push(performance.now() - t0);
      term.close();
      await call('DELETE', `/api/sessions/${s.session.id}`);
    }
    log(`start-to-prompt: ${starts.map((x) => x.toFixed(0)).join(', ')} ms`);
    rows.push(row('start-to-prompt median', median(starts), 'ms', '≤ 1000', median(starts) <= 1000));
    rows.push(row('start-to-prompt p95', percentile(starts, 95), 'ms', '', null));

    // One session for the rest.
    const s = (await call('POST', '/api/sessions?wait=1', { labId: LAB })) as StartSessionResponse;
    const sid = s.session.id;
    const containerId = (await dockerIdOf(sid)).trim();

    // 2. echo round trip: runner WebSocket vs docker exec -it in a local pty
    const term = new TerminalClient({ url: info.url, sessionId: sid, token });
    await term.opened;
    await term.waitFor(PROMPT, 15_000);
    const viaRunner = await echoSamples((d) => term.input(d), (fn) => term.onOutput((c) => fn(c.toString())));
    term.input('\x15'); // clear the line the samples typed
    const p = pty.spawn('docker', ['exec', '-it', containerId, 'bash', '--noprofile', '--norc'], { cols: 120, rows: 30, env: process.env as Record<string, string> });
    await new Promise<void>((res) => { const d = p.onData((x) => { if (/[#$] $/.test(x)) { d.dispose(); res(); } }); });
    const viaDocker = await echoSamples((d) => p.write(d), (fn) => { const d = p.onData(fn); return () => d.dispose(); });
    p.kill();
    const ratio = median(viaRunner) / median(viaDocker);
    rows.push(row('echo p50 via runner WebSocket', median(viaRunner), 'ms', '≤ 1.0', median(viaRunner) <= 1.0));
    rows.push(row('echo p95 via runner WebSocket', percentile(viaRunner, 95), 'ms', '', null));
    rows.push(row('echo p50 via docker exec -it (baseline)', median(viaDocker), 'ms', '', null));
    rows.push(row('echo p50 runner / baseline', ratio, '×', '≤ 1.5', ratio <= 1.5));

    // 3. flood: throughput with flow control, runner RSS, Ctrl-C latency
    let bytes = 0;
    const acc = { text: '' };
    term.onOutput((c) => { bytes += c.length; acc.text = (acc.text + c.toString('latin1')).slice(-4096); });
    term.input('yes\r');
    const rss: number[] = [];
    const t0 = performance.now();
    const startBytes = bytes;
    while (performance.now() - t0 < FLOOD_SECONDS * 1000) {
      await sleep(100);
      rss.push(rssMiB(runner.pid!));
    }
    const mbps = (bytes - startBytes) / ((performance.now() - t0) / 1000) / 1e6;
    acc.text = '';
    const tc = performance.now();
    term.input('\x03');
    await term.waitFor(/\^C[\s\S]*# $/, 10_000, acc);
    const ctrlC = performance.now() - tc;
    rows.push(row('flood throughput (acking client)', mbps, 'MB/s', '', null));
    rows.push(row('runner RSS max during flood', Math.max(...rss), 'MiB', '< 150', Math.max(...rss) < 150));
    rows.push(row('Ctrl-C to prompt during flood', ctrlC, 'ms', '< 200', ctrlC < 200));
    term.close();
    await call('DELETE', `/api/sessions/${sid}`);

    // 4. density (opt-in)
    if (DENSITY) rows.push(...(await densityBench({ url: info.url, token, runnerPid: runner.pid!, lab: LAB, log })));
  } finally {
    runner.kill('SIGTERM');
    await new Promise((r) => runner.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
  // 5. VM labs (after the container runner is gone, so the two do not share the CPU)
  rows.push(...(await vmBootBench(log)));
  rows.push(...(await vmRestoreBench(log)));
  const result = { date: new Date().toISOString(), lab: LAB, node: process.version, rows };
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  printTable(rows);
  console.log(`\nJSON: bench/results/latest.json`);
}

/** Types one character at a time and times until it comes back. */
async function echoSamples(write: (d: string) => void, onData: (fn: (d: string) => void) => () => void): Promise<number[]> {
  const samples: number[] = [];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < ECHO_SAMPLES; i++) {
    const ch = letters[i % letters.length]!;
    const t = await new Promise<number>((resolve) => {
      const t0 = performance.now();
      const off = onData((d) => { if (d.includes(ch)) { off(); resolve(performance.now() - t0); } });
      write(ch);
    });
    samples.push(t);
    if (i % 50 === 49) { write('\x15'); await sleep(20); } // keep the line short
  }
  return samples;
}

async function dockerIdOf(sessionId: string): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn('docker', ['ps', '-q', '--no-trunc', '--filter', `label=kdlabs.session=${sessionId}`]);
    let s = '';
    c.stdout.on('data', (d) => { s += d; });
    c.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`docker ps exited ${code}`))));
  });
  if (!out.trim()) throw new Error(`no container for ${sessionId}`);
  return out;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function row(metric: string, value: number, unit: string, target: string, pass: boolean | null): Row {
  return { metric, value: Math.round(value * 100) / 100, unit, target, pass };
}

function printTable(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.metric.length));
  console.log(`\n${'metric'.padEnd(w)}  ${'value'.padStart(10)}  unit   target   result`);
  console.log(`${'-'.repeat(w)}  ${'-'.repeat(10)}  -----  -------  ------`);
  for (const r of rows) console.log(`${r.metric.padEnd(w)}  ${String(r.value).padStart(10)}  ${r.unit.padEnd(5)}  ${r.target.padEnd(7)}  ${r.pass === null ? '' : r.pass ? 'ok' : 'MISSED'}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.error(`[bench] ${m}`);
async function until<T>(fn: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) { const v = fn(); if (v !== undefined) return v; await sleep(100); }
  throw new Error('timed out waiting for the runner');
}

await main();
