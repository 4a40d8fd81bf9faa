// A lab proves itself: start → fault present (symptom measured, every check
// fails) → solution → every check passes → stop → nothing left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { isCorrectAnswer } from '../../common/answers.ts';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { LabBackend } from '../backends/lab-backend.ts';
import { SessionManager } from '../sessions/session-manager.ts';
import type { Session } from '../sessions/session.ts';

/** After the solution, a check may need a moment (a restarted service warming up). */
const CHECK_RETRIES_AFTER_SOLVE = 3;
const CHECK_RETRY_DELAY_MS = 2000;
const SOLUTION_TIMEOUT_MS = 300_000;
const SYMPTOM_TIMEOUT_MS = 60_000;
/** An answer no lab should accept; proves a question's pattern is not a catch-all. */
const WRONG_ANSWER = 'definitely-not-the-answer-42';

export interface SelfTestStep { name: string; ok: boolean; detail: string; ms: number }
export interface SelfTestReport { labId: string; ok: boolean; steps: SelfTestStep[]; totalMs: number }

export interface SelfTestDeps {
  backends: Partial<Record<ResolvedLab['backend'], LabBackend>>;
  resolveImage: (lab: ResolvedLab, onProgress: (m: string) => void) => Promise<string>;
  onStep?: (step: SelfTestStep) => void;
  onProgress?: (message: string) => void;
}

export async function selfTestLab(lab: ResolvedLab, deps: SelfTestDeps): Promise<SelfTestReport> {
  const runnerName = `selftest-${lab.id}-${process.pid}-${Date.now().toString(36)}`;
  const manager = new SessionManager({ runnerName, labs: new Map([[lab.id, lab]]), backends: deps.backends, resolveImage: deps.resolveImage });
  const steps: SelfTestStep[] = [];
  const started = Date.now();
  const step = async (name: string, fn: () => Promise<string>): Promise<boolean> => {
    const t = Date.now();
    let s: SelfTestStep;
    try { s = { name, ok: true, detail: await fn(), ms: Date.now() - t }; }
    catch (e) { s = { name, ok: false, detail: (e as Error).message, ms: Date.now() - t }; }
    steps.push(s);
    deps.onStep?.(s);
    return s.ok;
  };

  let session: Session | null = null;
  let envRef: string | null = null;
  try {
    await manager.init();
    const ok = await step('start', async () => {
      const created = manager.create(lab.id);
      if (!created.ok) throw new Error(created.error.message);
      session = created.value.session;
      let shown = 0;
      const ticker = setInterval(() => {
        const p = session!.progress;
        for (; shown < p.length; shown++) deps.onProgress?.(p[shown]!.message); // the index moves even when nobody listens
      }, 200);
      const r = await created.value.ready.finally(() => clearInterval(ticker));
      if (!r.ok) throw new Error(r.error.message);
      envRef = session.labHandle?.ref ?? null;
      return `${lab.backend} ${envRef?.slice(0, 12)} running`;
    });
    if (ok && session) {
      const s: Session = session;
      await step('questions grade correctly', async () => {
        const questions = lab.tasks.filter((t) => t.question);
        for (const t of questions) {
          if (!isCorrectAnswer(t.question!.answer, t.question!.answer.example)) throw new Error(`task ${t.id}: its example answer "${t.question!.answer.example}" is not accepted`);
          if (isCorrectAnswer(t.question!.answer, WRONG_ANSWER)) throw new Error(`task ${t.id}: accepts any answer`);
        }
        return `${questions.length} question(s)`;
      });
      const ran = await step('fault present (symptom)', async () => {
        const r = await s.execScript(lab.selftest.symptom, SYMPTOM_TIMEOUT_MS);
        if (!r.ok) throw new Error(r.error.message);
        if (r.value.exitCode !== 0) throw new Error(`symptom not measured: ${(r.value.stdout + r.value.stderr).trim() || `exit ${r.value.exitCode}`}`);
        return r.value.stdout.trim();
      });
      const checks = lab.tasks.filter((t) => t.check);
      const beforeOk = ran && await step('every check fails before the fix', async () => {
        const passing: string[] = [];
        const lines: string[] = [];
        for (const t of checks) {
          const r = await s.runCheck(t.id);
          if (!r.ok) throw new Error(`${t.id}: ${r.error.message}`);
          if (r.value.passed) passing.push(t.id);
          lines.push(`${t.id}: ${r.value.message.split('\n').pop()}`);
        }
        if (passing.length) throw new Error(`these checks pass with the fault still there: ${passing.join(', ')}`);
        return lines.join(' | ');
      });
      const solved = beforeOk && await step('solution', async () => {
        const r = await s.execScript(lab.solution.script, SOLUTION_TIMEOUT_MS);
        if (!r.ok) throw new Error(r.error.message);
        if (r.value.exitCode !== 0) throw new Error(`solution exited ${r.value.exitCode}: ${(r.value.stdout + r.value.stderr).trim().split('\n').slice(-5).join(' | ')}`);
        return 'applied';
      });
      if (solved) {
        await step('every check passes after the fix', async () => {
          const lines: string[] = [];
          for (const t of checks) {
            let last = '';
            for (let i = 0; i < CHECK_RETRIES_AFTER_SOLVE; i++) {
              const r = await s.runCheck(t.id);
              if (!r.ok) throw new Error(`${t.id}: ${r.error.message}`);
              last = r.value.message;
              if (r.value.passed) break;
              await new Promise((res) => setTimeout(res, CHECK_RETRY_DELAY_MS));
            }
            if (s.tasks.get(t.id)?.status !== 'passed') throw new Error(`${t.id} still fails: ${last}`);
            lines.push(`${t.id}: ${last.split('\n').pop()}`);
          }
          return lines.join(' | ');
        });
      }
    }
  } finally {
    await step('stop, nothing left behind', async () => {
      await manager.shutdown();
      const backend = deps.backends[lab.backend];
      const left = backend ? await backend.listOwned(runnerName) : [];
      if (left.length) throw new Error(`environments left: ${left.join(', ')}`);
      const procs = envRef ? processesOf(envRef) : [];
      if (procs.length) throw new Error(`processes left on the host: ${procs.join(', ')}`);
      return 'no environment, no process';
    });
  }
  return { labId: lab.id, ok: steps.every((s) => s.ok), steps, totalMs: Date.now() - started };
}

/** Host processes whose cgroup path names the environment (a container id). */
function processesOf(ref: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(ref)) out.push(pid);
    } catch { /* the process ended while we looked */ }
  }
  return out;
}
