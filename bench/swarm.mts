// `npm run bench -- --swarm`: container labs on a two-node Docker Swarm made on
// this machine (test/harness/swarm-pool.ts), next to the same figures on the
// runner's own engine:
//  - start-to-prompt of one lab (median of START_RUNS),
//  - CONCURRENT_STARTS labs started at the same moment: start-to-prompt median,
//    p95 and the wall time until the last prompt, and how Swarm spread them.
// Both nodes share this machine's CPUs, so the swarm figures show the backend's
// own cost (a service, a placement, a second engine hop), not more capacity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { createRunner, type Runner } from '../runner/src/node/runner.ts';
import { ImageBuilder } from '../runner/src/node/images/image-builder.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { createDocker } from '../runner/src/node/util/docker-client.ts';
import type { StartSessionResponse } from '../runner/src/common/protocol.ts';
import { makeSwarmPool, registerEngines, type SwarmPool } from '../test/harness/swarm-pool.ts';
import { median, percentile } from './stats.ts';

export interface SwarmRow { metric: string; value: number; unit: string; target: string; pass: boolean | null }

/** A quiet lab: its fault does not burn a CPU, so twenty of them measure starting, not contention. */
const LAB = process.env.BENCH_SWARM_LAB ?? 'memory-leak';
const START_RUNS = Number(process.env.BENCH_SWARM_START_RUNS ?? 5);
/** A classroom pressing Start together. */
const CONCURRENT_STARTS = Number(process.env.BENCH_SWARM_CONCURRENT ?? 20);
const PROMPT = /# $/m;
const PROMPT_TIMEOUT_MS = 180_000;

export async function swarmBench(log: (line: string) => void): Promise<SwarmRow[]> {
  const lab = loadLabs(LABS_DIR).labs.get(LAB);
  if (!lab) throw new Error(`no lab ${LAB}`);
  const docker = createDocker();
  log(`swarm bench: ${LAB}'s image on the runner's engine`);
  await new ImageBuilder(docker).ensureLabImage(lab, () => {});
  const made = await makeSwarmPool({ log: (l) => log(`  [pool] ${l}`) });
  if (!made.ok) { log(`swarm bench skipped: a swarm cannot be made here: ${made.skip}`); return []; }
  const pool = made.pool;
  const rows: SwarmRow[] = [];
  try {
    await registerEngines(pool);
    for (const mode of ['single engine', 'swarm (2 nodes)'] as const) {
      rows.push(...(await measure(mode, mode === 'swarm (2 nodes)' ? pool : null, log)));
    }
  } finally {
    await pool.dispose();
  }
  return rows;
}

async function measure(mode: string, pool: SwarmPool | null, log: (line: string) => void): Promise<SwarmRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-bench-swarm-'));
  const runner = await createRunner({
    port: 0, dataDir, runnerName: `bench-swarm-${process.pid}`, log: () => {},
    ...(pool ? { swarm: { manager: pool.manager.engine, tls: pool.manager.tls } } : {}),
  });
  try {
    // The first start copies the image to the nodes (swarm) or warms the page cache (one engine).
    await startToPrompt(runner).then((h) => h.release());
    const one: number[] = [];
    for (let i = 0; i < START_RUNS; i++) {
      const h = await startToPrompt(runner);
      one.push(h.ms);
      await h.release();
    }
    log(`${mode}: start-to-prompt ${one.map((m) => Math.round(m)).join(', ')} ms`);
    const t0 = performance.now();
    const many = await Promise.all(Array.from({ length: CONCURRENT_STARTS }, () => startToPrompt(runner)));
    const wall = performance.now() - t0;
    const spread = pool ? await spreadOver(pool) : '';
    log(`${mode}: ${CONCURRENT_STARTS} at once: last prompt after ${Math.round(wall)} ms${spread ? `; ${spread}` : ''}`);
    for (let i = 0; i < many.length; i += 5) await Promise.all(many.slice(i, i + 5).map((h) => h.release()));
    const ms = many.map((h) => h.ms);
    return [
      { metric: `${mode}: start-to-prompt median`, value: Math.round(median(one)), unit: 'ms', target: '', pass: null },
      { metric: `${mode}: ${CONCURRENT_STARTS} concurrent, median`, value: Math.round(median(ms)), unit: 'ms', target: '', pass: null },
      { metric: `${mode}: ${CONCURRENT_STARTS} concurrent, p95`, value: Math.round(percentile(ms, 95)), unit: 'ms', target: '', pass: null },
      { metric: `${mode}: ${CONCURRENT_STARTS} concurrent, last prompt`, value: Math.round(wall), unit: 'ms', target: '', pass: null },
    ];
  } finally {
    await runner.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function startToPrompt(runner: Runner): Promise<{ ms: number; release: () => Promise<void> }> {
  const t0 = performance.now();
  const r = await fetch(`${runner.url}/api/sessions?wait=1`, {
    method: 'POST', headers: { authorization: `Bearer ${runner.ownerToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ labId: LAB }),
  });
  if (!r.ok) throw new Error(`start ${LAB}: ${r.status} ${await r.text()}`);
  const s = (await r.json()) as StartSessionResponse;
  const term = new TerminalClient({ url: runner.url, sessionId: s.session.id, token: runner.ownerToken });
  await term.opened;
  await term.waitFor(PROMPT, PROMPT_TIMEOUT_MS);
  const ms = performance.now() - t0;
  return {
    ms,
    release: async () => {
      term.close();
      await fetch(`${runner.url}/api/sessions/${s.session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${runner.ownerToken}` } });
    },
  };
}

/** "a: 10, b: 10": how many of the bench's labs each node runs now. */
async function spreadOver(pool: SwarmPool): Promise<string> {
  const counts = await Promise.all(pool.nodes.map(async (n) => `${n.name}: ${(await n.engine.listContainers({ filters: { label: ['kdlabs.managed=1'] } })).length}`));
  return counts.join(', ');
}
