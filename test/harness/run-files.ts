// Runs integration test files one at a time, each inside its own budget, and
// fails a file that leaves anything behind. Why not plain `node --test`: a
// child that outlives its test (a dev server ignoring SIGTERM) kept a file open
// for its whole 15-minute budget, and a process or container left running was
// never noticed. Here every file runs in its own process group, tagged with an
// environment token its descendants inherit; when the file ends (or its budget
// does) the group is killed, and any process still carrying the token, or any
// lab container named after the file's pid, fails the file by name.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { failureDigest, parseBudget, parseCounts, type FileCounts } from './file-budget.ts';

/** Time a file's processes get between SIGTERM and SIGKILL when its budget runs out. */
const KILL_GRACE_MS = 5000;

interface FileResult { file: string; ok: boolean; counts: FileCounts | null; ms: number; problems: string[]; digest: string[] }

async function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  const problems: string[] = [];
  const budget = parseBudget(readFileSync(file, 'utf8'));
  if (!budget.ok) return { file, ok: false, counts: null, ms: 0, problems: [`${file}: ${budget.error}`], digest: [] };
  const token = `kdtest-${randomBytes(6).toString('hex')}`;
  // NODE_TEST_CONTEXT would make the child report to a parent test runner instead of printing its counts.
  const env: NodeJS.ProcessEnv = { ...process.env, KDLABS_TEST_SCOPE: token };
  delete env.NODE_TEST_CONTEXT;
  // Node 20 applies --test-timeout to the file as a whole too, not only to each test in it (which
  // sets its own timeout): the file's budget is that limit, and the timer below enforces it anyway.
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${budget.ms}`, file], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'], env,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d; process.stdout.write(d); });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  let overBudget = false;
  const budgetTimer = setTimeout(() => {
    overBudget = true;
    process.stderr.write(`\n[harness] ${file} ran past its budget of ${budget.ms / 60_000} min: stopping it\n`);
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  }, budget.ms);
  const exitCode = await new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  clearTimeout(budgetTimer);
  killGroup(child.pid, 'SIGKILL'); // anything of the group still there
  if (overBudget) problems.push(`ran past its budget (${budget.ms / 60_000} min; declare more with "// test-budget: Nm" if that is right)`);
  const left = processesWithToken(token);
  if (left.length) {
    problems.push(`left processes behind: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    for (const p of left) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ } }
  }
  const containers = containersOfPid(child.pid);
  if (containers.length) problems.push(`left lab containers behind: ${containers.join(', ')}`);
  const counts = parseCounts(out);
  if (exitCode !== 0 && !overBudget) problems.push(`exited ${exitCode}`);
  if (!counts && !overBudget) problems.push('printed no test counts (it crashed before its tests ran?)');
  return { file, ok: problems.length === 0 && exitCode === 0, counts, ms: Date.now() - started, problems, digest: failureDigest(out) };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try { process.kill(-pid, signal); } catch { /* the group is gone */ }
}

/** Live processes whose environment carries the file's token (detached grandchildren included). */
function processesWithToken(token: string): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`KDLABS_TEST_SCOPE=${token}`)) continue;
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${entry}/status`, 'utf8'))) continue; // a zombie holds nothing
      found.push({ pid: Number(entry), cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120) });
    } catch { /* it ended while we looked */ }
  }
  return found;
}

/** Lab containers whose runner name carries the file's pid (test runners are named `test-<pid>-…`, `selftest-<lab>-<pid>-…`). */
function containersOfPid(pid: number | undefined): string[] {
  if (pid === undefined) return [];
  let listing: string;
  try {
    listing = execFileSync('docker', ['ps', '-a', '--filter', 'label=kdlabs.managed', '--format', '{{.ID}} {{.Label "kdlabs.runner"}}'], { encoding: 'utf8', timeout: 30_000 });
  } catch (e) {
    process.stderr.write(`[harness] could not list containers to check for leftovers: ${(e as Error).message.split('\n')[0]}\n`);
    return [];
  }
  const mine = listing.split('\n').map((l) => l.trim().split(' ')).filter(([id, runner]) => id && runner && runner.includes(`-${pid}-`));
  for (const [id] of mine) { try { execFileSync('docker', ['rm', '-f', id!], { timeout: 30_000, stdio: 'ignore' }); } catch { /* reported anyway */ } }
  return mine.map(([id, runner]) => `${id} (${runner})`);
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  if (!files.length) { console.error('usage: run-files.ts <test files…>'); process.exit(2); }
  const results: FileResult[] = [];
  for (const file of files) {
    process.stdout.write(`\n\x1b[1m--- ${file}\x1b[0m\n`);
    results.push(await runFile(file));
  }
  const total = { pass: 0, fail: 0, skipped: 0 };
  console.log('\nIntegration files:');
  for (const r of results) {
    total.pass += r.counts?.pass ?? 0;
    total.fail += (r.counts?.fail ?? 0) + (r.ok || (r.counts?.fail ?? 0) > 0 ? 0 : 1);
    total.skipped += r.counts?.skipped ?? 0;
    const c = r.counts ? `${r.counts.pass} passed, ${r.counts.fail} failed${r.counts.skipped ? `, ${r.counts.skipped} skipped` : ''}` : 'no counts';
    console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${basename(r.file).padEnd(34)} ${c.padEnd(30)} ${(r.ms / 1000).toFixed(0).padStart(5)} s${r.problems.length ? `\n         ${r.problems.join('\n         ')}` : ''}`);
  }
  console.log(`integration: ${total.pass} passed, ${total.fail} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  // Last, so that the tail of a long CI log still says why each failed file failed.
  for (const r of results.filter((x) => !x.ok && x.digest.length)) console.log(`\n${basename(r.file)}:\n${r.digest.join('\n')}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
