// A lab proves itself: start → every check fails → fault present (symptom
// measured) → walkthrough (the learner's commands, typed into the lab's real
// terminal) → solution → every check passes → stop → nothing left behind.
import { exampleAnswer, isCorrectAnswer } from '../../common/answers.ts';
import type { ParamValues } from '../../common/params.ts';
import type { BackendKind, ResolvedLab } from '../../common/lab-schema.ts';
import { DEFAULT_TERMINAL_SIZE, type TerminalSize } from '../../common/terminal-size.ts';
import { planWalkthrough } from '../../common/walkthrough-plan.ts';
import type { LabBackend } from '../backends/lab-backend.ts';
import { SessionManager } from '../sessions/session-manager.ts';
import type { Session } from '../sessions/session.ts';
import { leftBehind } from './leftovers.ts';
import { paramLeakScript, parseLeaks } from './param-leaks.ts';
import { startTerminalServer } from './terminal-server.ts';
import { runWalkthrough } from './walkthrough.ts';

/** After the solution, a check may need a moment (a restarted service warming up). */
const CHECK_RETRIES_AFTER_SOLVE = 3;
const CHECK_RETRY_DELAY_MS = 2000;
const SYMPTOM_TIMEOUT_MS = 60_000;
/** A fault may need a moment to show; a symptom that panics a VM's kernel is read back after the reboot. */
const SYMPTOM_ATTEMPTS = 2;
const PARAM_LEAK_TIMEOUT_MS = 60_000;
/** A check's message on a Korean page must have some Korean in it. */
const HANGUL = /[\uAC00-\uD7A3]/;
/** An answer no lab should accept; proves a question's pattern is not a catch-all. */
const WRONG_ANSWER = 'definitely-not-the-answer-42';

export interface SelfTestStep { name: string; ok: boolean; detail: string; ms: number }
export interface SelfTestReport { labId: string; ok: boolean; steps: SelfTestStep[]; totalMs: number; params: ParamValues }

export const SELFTEST_STEPS = [
  'start', 'parameters hidden from the lab', 'questions grade correctly', 'every check fails before the fix', 'fault present (symptom)',
  'walkthrough', 'solution', 'every check passes after the fix', 'stop, nothing left behind',
] as const;

export interface SelfTestDeps {
  /**
   * The backends for this run, made for the runner name the self-test picks: they label what
   * they start with it, and the leak check looks under the same name.
   */
  backends: (runnerName: string) => Partial<Record<BackendKind, LabBackend>>;
  resolveImage: (lab: ResolvedLab, onProgress: (m: string) => void) => Promise<string>;
  onStep?: (step: SelfTestStep) => void;
  onProgress?: (message: string) => void;
  /** The lab's parameter values for this run (see paramSweep); a lab with params needs every one. */
  params?: ParamValues;
  /**
   * Why this run does not type the walkthrough (it is typed in another run of the same lab,
   * e.g. the first choice of a parameter sweep); undefined: type it.
   */
  skipWalkthrough?: string;
  /** The terminal the walkthrough types into; the page's size at 1280×800 by default. */
  terminalSize?: TerminalSize;
}

export async function selfTestLab(lab: ResolvedLab, deps: SelfTestDeps): Promise<SelfTestReport> {
  const runnerName = `selftest-${lab.id}-${process.pid}-${Date.now().toString(36)}`;
  const backends = deps.backends(runnerName);
  const manager = new SessionManager({ runnerName, labs: new Map([[lab.id, lab]]), backends, resolveImage: deps.resolveImage });
  const steps: SelfTestStep[] = [];
  const started = Date.now();
  const params = deps.params ?? {};
  const step = async (name: typeof SELFTEST_STEPS[number], fn: () => Promise<string>): Promise<boolean> => {
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
      const missing = lab.params.filter((p) => params[p.name] === undefined).map((p) => p.name);
      if (missing.length) throw new Error(`no value for parameter(s) ${missing.join(', ')}: pass them (labs test --param name=value), or run every choice`);
      const created = manager.create(lab.id, { params });
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
      await step('parameters hidden from the lab', async () => {
        if (!lab.params.length) return 'no per-learner parameters';
        const r = await s.execScript(paramLeakScript(params, lab.params), PARAM_LEAK_TIMEOUT_MS);
        if (!r.ok) throw new Error(`could not look: ${r.error.message}`);
        const leaks = parseLeaks(r.value.stdout);
        if (leaks.length) throw new Error(`a learner can read their value: ${leaks.join('; ')}`);
        const measured = lab.params.flatMap((p) => p.measuredIn);
        return `${lab.params.map((p) => p.name).join(', ')}: in no process's environment or command line, in no file written since start`
          + (measured.length ? ` other than the measurements ${measured.join(', ')}` : '');
      });
      await step('questions grade correctly', async () => {
        const questions = lab.tasks.filter((t) => t.question);
        for (const t of questions) {
          const answer = t.question!.answer;
          const example = exampleAnswer(answer, params);
          if (example === null) throw new Error(`task ${t.id}: no example answer for parameter "${answer.param}"`);
          // Through the session, as a learner would: its parameter values grade the answer.
          const graded = s.answer(t.id, example);
          if (!graded.ok || !graded.value.passed) throw new Error(`task ${t.id}: its example answer "${example}" is not accepted`);
          if (isCorrectAnswer(answer, WRONG_ANSWER, params)) throw new Error(`task ${t.id}: accepts any answer`);
          // Each declared wrong answer is refused, through the session, with its own message.
          for (const w of t.question!.wrong ?? []) {
            for (const submitted of [...w.answers, ...(w.example === null ? [] : [w.example])]) {
              const r = s.answer(t.id, submitted);
              if (!r.ok) throw new Error(`task ${t.id}: the wrong answer "${submitted}" was not graded: ${r.error.message}`);
              if (r.value.passed) throw new Error(`task ${t.id}: the declared wrong answer "${submitted}" is accepted`);
              if (r.value.message !== w.message) throw new Error(`task ${t.id}: the wrong answer "${submitted}" says "${r.value.message}", not its declared message "${w.message}"`);
            }
          }
          if (answer.param !== undefined) {
            // A neighbour with another value of the parameter must not be able to lend their answer.
            const others = lab.params.find((p) => p.name === answer.param)!.choices.filter((c) => c !== params[answer.param!]);
            const leaked = others.find((c) => isCorrectAnswer(answer, exampleAnswer(answer, { [answer.param!]: c })!, params));
            if (leaked !== undefined) throw new Error(`task ${t.id}: the answer for ${answer.param}=${leaked} is accepted for ${answer.param}=${params[answer.param]}`);
          }
        }
        return `${questions.length} question(s)${Object.keys(params).length ? ` (${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}`;
      });
      const checks = lab.tasks.filter((t) => t.check);
      // Checks first, on the lab as setup.sh left it: the symptom may change the lab for good (a VM's kernel panics).
      // Checks run as a learner on a Korean page runs them (KDLABS_LANG=ko): each must say
      // why in Korean. The English is what the symptom and the CLI show.
      const beforeOk = await step('every check fails before the fix', async () => {
        const passing: string[] = [];
        const lines: string[] = [];
        for (const t of checks) {
          const r = await s.runCheck(t.id, 'ko');
          if (!r.ok) throw new Error(`${t.id}: ${r.error.message}`);
          if (r.value.passed) passing.push(t.id);
          if (!HANGUL.test(r.value.message)) throw new Error(`${t.id}: its message on a Korean page is not Korean: "${r.value.message}"`);
          lines.push(`${t.id}: ${r.value.message.split('\n').pop()}`);
        }
        if (passing.length) throw new Error(`these checks pass with the fault still there: ${passing.join(', ')}`);
        return lines.join(' | ');
      });
      const ran = beforeOk && await step('fault present (symptom)', async () => {
        let last = '';
        for (let attempt = 1; attempt <= SYMPTOM_ATTEMPTS; attempt++) {
          const r = await s.execScript(lab.selftest.symptom, SYMPTOM_TIMEOUT_MS);
          if (!r.ok) throw new Error(r.error.message);
          if (r.value.exitCode === 0) return r.value.stdout.trim();
          last = (r.value.stdout + r.value.stderr).trim() || `exit ${r.value.exitCode}`;
          if (attempt < SYMPTOM_ATTEMPTS) await new Promise((res) => setTimeout(res, CHECK_RETRY_DELAY_MS));
        }
        throw new Error(`symptom not measured: ${last}`);
      });
      // Before the solution, so it sees what a learner sees; its result does not hold the solution back.
      if (ran) await step('walkthrough', () => deps.skipWalkthrough !== undefined ? Promise.resolve(`not typed in this run: ${deps.skipWalkthrough}`) : walkthrough(lab, s, manager, deps));
      const solved = ran && await step('solution', async () => {
        const r = await s.execScript(lab.solution.script, lab.solution.timeoutSeconds * 1000);
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
              const r = await s.runCheck(t.id, 'ko');
              if (!r.ok) throw new Error(`${t.id}: ${r.error.message}`);
              last = r.value.message;
              if (r.value.passed && !HANGUL.test(last)) throw new Error(`${t.id}: passes, but its message on a Korean page is not Korean: "${last}"`);
              if (r.value.passed) break;
              await new Promise((res) => setTimeout(res, CHECK_RETRY_DELAY_MS));
            }
            if (s.view().tasks.find((x) => x.id === t.id)?.status !== 'passed') throw new Error(`${t.id} still fails: ${last}`);
            lines.push(`${t.id}: ${last.split('\n').pop()}`);
          }
          return lines.join(' | ');
        });
      }
    }
  } finally {
    await step('stop, nothing left behind', async () => {
      await manager.shutdown();
      const left = await leftBehind(backends[lab.backend], runnerName, envRef);
      if (left.length) throw new Error(left.join('; '));
      return 'no environment, no process';
    });
  }
  return { labId: lab.id, ok: steps.every((s) => s.ok), steps, totalMs: Date.now() - started, params };
}

/** The walkthrough step: the lab's commands typed into its terminal, through the runner's own WebSocket endpoint. */
async function walkthrough(lab: ResolvedLab, session: Session, manager: SessionManager, deps: SelfTestDeps): Promise<string> {
  const plan = planWalkthrough(lab.steps, lab.tasks);
  const server = await startTerminalServer(manager);
  const started = Date.now();
  try {
    const r = await runWalkthrough(plan, { url: server.url, sessionId: session.id, token: session.token, size: deps.terminalSize ?? DEFAULT_TERMINAL_SIZE }, deps.onProgress);
    // One line each, after the summary line: failures first, then notes (wide output and the like).
    const notes = r.notes.map((n) => `\n    note: ${n}`).join('');
    const summary = `${r.typed} command(s) typed at ${r.size.replace(' ', '×')} (rows×cols), ${r.skipped} not typed, ${((Date.now() - started) / 1000).toFixed(0)} s`;
    if (!r.ok) throw new Error(`${r.failures.length} failure(s) of ${summary}:\n    ${r.failures.join('\n    ')}${notes}`);
    return `${summary}${notes}`;
  } finally {
    await server.close();
  }
}
