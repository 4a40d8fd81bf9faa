// Session lifecycle against a fake backend: each race or outage from issue 11 is
// replayed step by step (held backend calls, an engine that stops answering).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Session, type SessionObserver, type StopReason } from './session.ts';
import { FakeBackend, FakeViewer, fakeLab, settle } from './fake-backend.test-support.ts';
import { setUnexpectedErrorListener, type UnexpectedErrorListener } from '../util/unexpected-error.ts';
import { nextAnswerCount, NO_ANSWERS, type AnswerCount, type AnswerOutcome } from '../../common/attempts.ts';

class RecordingObserver implements SessionObserver {
  readonly events: string[] = [];
  /** Observer calls that throw, as a full disk or a locked database would. */
  readonly failing = new Set<keyof SessionObserver>();
  private call(name: keyof SessionObserver, what: string): void {
    if (this.failing.has(name)) throw new Error(`progress store: ${name} failed (disk full)`);
    this.events.push(what);
  }
  onStart(): void { this.call('onStart', 'start'); }
  onStop(_s: Session, reason: StopReason): void { this.call('onStop', `stop:${reason}`); }
  onReset(): void { this.call('onReset', 'reset'); }
  onActivity(): void { this.call('onActivity', 'activity'); }
  onTaskResult(_s: Session, r: { taskId: string; passed: boolean }): void { this.call('onTaskResult', `result:${r.taskId}:${r.passed}`); }
  /** Answer counts as a store keeps them, in memory; `counts` may be preset (an earlier session's answers). */
  readonly counts = new Map<string, AnswerCount>();
  onAnswer(_s: Session, r: { taskId: string; passed: boolean }, attempts: number | null): AnswerOutcome {
    const after = nextAnswerCount(this.counts.get(r.taskId) ?? NO_ANSWERS, r.passed, attempts);
    this.call('onAnswer', `answer:${r.taskId}:${r.passed}:${after.recorded ? 'counted' : 'refused'}`);
    if (after.recorded) this.counts.set(r.taskId, after);
    return after;
  }
  answerCounts(): ReadonlyMap<string, AnswerCount> { return this.counts; }
  onHint(_s: Session, taskId: string): void { this.call('onHint', `hint:${taskId}`); }
  onSolution(): void { this.call('onSolution', 'solution'); }
}

let restoreSink: UnexpectedErrorListener | null = null;
function captureUnexpected(): unknown[] {
  const seen: unknown[] = [];
  restoreSink = setUnexpectedErrorListener((e) => seen.push(e));
  return seen;
}
afterEach(() => { if (restoreSink) setUnexpectedErrorListener(restoreSink); restoreSink = null; });

async function running(backend = new FakeBackend(), observer = new RecordingObserver()) {
  const s = new Session(fakeLab(), { backend, observer, resolveImage: async () => 'image:test', outageRetryMs: 10_000 });
  const r = await s.start();
  assert.deepEqual(r, { ok: true, value: undefined });
  assert.equal(s.phase, 'running');
  return { s, backend, observer };
}

test('a failing progress write on stop still removes the environment', async () => {
  const seen = captureUnexpected();
  const { s, backend, observer } = await running();
  observer.failing.add('onStop');
  const r = await s.stop('stopped');
  assert.equal(r.ok, true);
  assert.equal(s.phase, 'stopped');
  assert.equal(backend.existing.size, 0, 'the container was removed');
  assert.equal(seen.length, 1, 'the failed write was reported');
});

test('a check whose result cannot be recorded is an error, not a pass', async () => {
  captureUnexpected();
  const { s, observer } = await running();
  observer.failing.add('onTaskResult');
  const r = await s.runCheck('fix-it');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error.message : '', /could not be recorded/);
  assert.equal(s.view().tasks.find((t) => t.id === 'fix-it')?.status, 'pending', 'nothing shown as passed');
  observer.failing.clear();
  const again = await s.runCheck('fix-it');
  assert.equal(again.ok && again.value.passed, true);
  assert.deepEqual(observer.events.filter((e) => e.startsWith('result')), ['result:fix-it:true']);
});

test('an answer whose result cannot be recorded is an error, not a pass', async () => {
  captureUnexpected();
  const { s, observer } = await running();
  observer.failing.add('onAnswer');
  const r = s.answer('name-it', 'write');
  assert.equal(r.ok, false);
  assert.equal(s.view().tasks.find((t) => t.id === 'name-it')?.status, 'pending');
});

test('answers, hints and checks are refused on a stopped session, and nothing is recorded', async () => {
  const { s, observer } = await running();
  await s.stop('stopped');
  const before = observer.events.length;
  const answer = s.answer('name-it', 'write');
  const hint = s.nextHint('name-it');
  const check = await s.runCheck('fix-it');
  for (const r of [answer, hint, check]) {
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'gone');
    assert.match(!r.ok ? r.error.message : '', /stopped/);
  }
  assert.equal(observer.events.length, before);
});

test('a shell that finishes opening while a reset suspends the terminal is not adopted', async () => {
  const { s, backend } = await running();
  const viewer = new FakeViewer();
  const opening = backend.hold('openShell');
  s.terminal.attach(viewer);
  await opening.entered;
  const reset = s.reset();
  await settle();
  opening.release();
  assert.equal((await reset).ok, true);
  await settle();
  const [old, fresh] = backend.shells;
  assert.ok(old, 'the first shell was opened');
  assert.equal(old.disposed, true, 'the shell of the old environment was disposed, not adopted');
  assert.ok(fresh, 'a shell was opened in the new environment');
  assert.notEqual(fresh.envRef, old.envRef);
  assert.equal(fresh.disposed, false);
});

test('a lab that vanished is failed once; a later stop neither records nor removes again', async () => {
  const { s, backend, observer } = await running();
  backend.existing.clear();
  await s.probe();
  assert.equal(s.phase, 'failed');
  assert.match(s.error ?? '', /stopped unexpectedly/);
  const stopsBefore = backend.count('stop');
  const r = await s.stop('stopped');
  assert.equal(r.ok, true);
  assert.equal(s.phase, 'stopped');
  assert.equal(backend.count('stop'), stopsBefore, 'nothing left to remove');
  assert.deepEqual(observer.events.filter((e) => e.startsWith('stop')), ['stop:gone']);
});

test('a lab over its disk quota is removed and failed with the numbers; at its quota it runs on', async () => {
  const { s, backend, observer } = await running();
  const viewer = new FakeViewer();
  s.terminal.attach(viewer);
  await settle();
  const ref = [...backend.existing][0]!;
  backend.written.set(ref, s.lab.resources.diskBytes);
  await s.probe();
  assert.equal(s.phase, 'running', 'exactly at the quota is allowed');
  backend.written.set(ref, s.lab.resources.diskBytes + 2 ** 20);
  await s.probe();
  assert.equal(s.phase, 'failed');
  assert.match(s.error ?? '', /wrote 257 MiB to its disk, over its quota of 256 MiB/);
  assert.equal(backend.existing.size, 0, 'the container was removed');
  assert.ok(viewer.messages.some((m) => m.type === 'notice' && m.code === 'disk-quota'), 'the terminal was told');
  assert.deepEqual(observer.events.filter((e) => e.startsWith('stop')), ['stop:disk-quota']);
});

test('a disk measurement the engine cannot give now stops nothing', async () => {
  const { s, backend } = await running();
  backend.diskUsage = async () => ({ ok: false, error: { code: 'backend-unavailable', message: 'the engine refused' } });
  await s.probe();
  assert.equal(s.phase, 'running');
});

test('an unreachable engine degrades the session; it recovers when the engine is back and its lab survived', async () => {
  const { s, backend } = await running();
  const viewer = new FakeViewer();
  s.terminal.attach(viewer);
  await settle();
  assert.equal(backend.shells.length, 1);
  backend.reachable = false;
  await s.probe();
  assert.equal(s.phase, 'degraded');
  assert.match(s.error ?? '', /Docker Engine is unreachable.*container may still exist.*retries every 10 s/s);
  assert.ok(viewer.messages.some((m) => m.type === 'notice' && m.code === 'backend-unavailable'), 'the terminal was told');
  assert.equal((await s.runCheck('fix-it')).ok, false, 'no check while degraded');
  await s.probe();
  assert.equal(s.phase, 'degraded', 'still degraded while the engine is away');
  backend.reachable = true;
  await s.probe();
  assert.equal(s.phase, 'running');
  assert.equal(s.error, null);
  await settle();
  assert.equal(backend.shells.length, 2, 'a new shell was opened for the viewer');
  assert.ok(viewer.messages.some((m) => m.type === 'notice' && m.code === 'backend-recovered'));
  const check = await s.runCheck('fix-it');
  assert.equal(check.ok && check.value.passed, true);
});

test('a lab that vanished during an outage is reported gone once the engine is back', async () => {
  const { s, backend } = await running();
  backend.reachable = false;
  await s.probe();
  backend.existing.clear();
  backend.reachable = true;
  await s.probe();
  assert.equal(s.phase, 'failed');
  assert.match(s.error ?? '', /vanished while/);
});

test('stop during an outage keeps the session stopping; a retry after the outage removes the environment', async () => {
  const { s, backend } = await running();
  backend.reachable = false;
  const r = await s.stop('stopped');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'backend-unavailable');
  assert.match(!r.ok ? r.error.message : '', /will be removed once Docker Engine answers again/);
  assert.equal(s.phase, 'stopping');
  assert.equal(backend.existing.size, 1, 'the container still exists and is still owned');
  backend.reachable = true;
  assert.equal((await s.stop('stopped')).ok, true);
  assert.equal(s.phase, 'stopped');
  assert.equal(backend.existing.size, 0);
});

test('reset during an outage fails cleanly: degraded, not stuck in resetting, and recovers', async () => {
  const { s, backend } = await running();
  backend.reachable = false;
  const r = await s.reset();
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'backend-unavailable');
  assert.equal(s.phase, 'degraded');
  const again = await s.reset();
  assert.equal(again.ok, false, 'a reset while degraded is refused');
  assert.equal(s.phase, 'degraded');
  backend.reachable = true;
  await s.probe();
  assert.equal(s.phase, 'running');
  assert.equal((await s.reset()).ok, true);
  assert.equal(s.phase, 'running');
});

test('a start whose setup is cut off by an outage is never forgotten: degraded, then removed and failed', async () => {
  const backend = new FakeBackend();
  const s = new Session(fakeLab(), { backend, observer: new RecordingObserver(), resolveImage: async () => 'image:test', outageRetryMs: 10_000 });
  const setup = backend.hold('exec');
  const started = s.start();
  await setup.entered;
  backend.reachable = false;
  setup.release();
  const r = await started;
  assert.equal(r.ok, false);
  assert.equal(s.phase, 'degraded');
  assert.equal(backend.existing.size, 1);
  backend.reachable = true;
  await s.probe();
  assert.equal(s.phase, 'failed');
  assert.equal(backend.existing.size, 0, 'the half-started container was removed');
  assert.match(s.error ?? '', /interrupted/);
});

test('a failed lab can be reset and gets a working terminal again', async () => {
  const backend = new FakeBackend();
  backend.execResult = () => ({ exitCode: 1, stdout: '', stderr: 'setup broke', timedOut: false, durationMs: 1 });
  const s = new Session(fakeLab(), { backend, observer: new RecordingObserver(), resolveImage: async () => 'image:test', outageRetryMs: 10_000 });
  assert.equal((await s.start()).ok, false);
  assert.equal(s.phase, 'failed');
  backend.execResult = () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1 });
  assert.equal((await s.reset()).ok, true);
  s.terminal.attach(new FakeViewer());
  await settle();
  assert.equal(backend.shells.length, 1);
});

test('a reset whose record fails is refused and changes nothing', async () => {
  captureUnexpected();
  const { s, backend, observer } = await running();
  observer.failing.add('onReset');
  const r = await s.reset();
  assert.equal(r.ok, false);
  assert.equal(s.phase, 'running');
  assert.equal(backend.count('stop'), 0);
});

/** fakeLab with its question limited to `attempts` wrong answers, each costing `penalty`. */
/** A learner in a workshop: attempt rules bind there (Session.rulesOf). */
const IN_WORKSHOP = { learnerId: 'l-test', workshopId: 'w-test' };

function limitedLab(attempts: number | null, penalty = 0) {
  const lab = fakeLab();
  const q = lab.tasks.find((t) => t.id === 'name-it')!.question!;
  q.rules = { attempts, penalty };
  return lab;
}

test('a question closes after its attempt limit: later answers, right ones too, are refused and not counted', async () => {
  const observer = new RecordingObserver();
  const s = new Session(limitedLab(2), { owner: IN_WORKSHOP, backend: new FakeBackend(), observer, resolveImage: async () => 'image:test' });
  await s.start();
  const tally = () => s.view().tasks.find((t) => t.id === 'name-it')!.tally!;
  assert.deepEqual(tally(), { wrong: 0, attemptsLeft: 2, closed: false, score: 0, note: '2 of 2 attempts left.' }, 'shown before any answer');
  const first = s.answer('name-it', 'read');
  assert.equal(first.ok && first.value.tally?.note, '1 of 2 attempts left.');
  const second = s.answer('name-it', 'writev');
  assert.equal(second.ok && second.value.tally?.closed, true);
  const late = s.answer('name-it', 'write');
  assert.equal(late.ok, false);
  assert.equal(!late.ok && late.error.code, 'conflict');
  assert.match(!late.ok ? late.error.message : '', /closed: all 2 attempts were used/);
  assert.deepEqual(observer.events.filter((e) => e.startsWith('answer')), ['answer:name-it:false:counted', 'answer:name-it:false:counted', 'answer:name-it:true:refused']);
  const state = s.view().tasks.find((t) => t.id === 'name-it')!;
  assert.equal(state.status, 'failed');
  assert.equal(state.attempts, 2, 'the refused answer is not an attempt');
  assert.match(state.tally!.note, /^Closed/);
});

test('a new session starts from the counts of earlier ones: a closed question stays closed', async () => {
  const observer = new RecordingObserver();
  observer.counts.set('name-it', { wrong: 1, passed: false });
  const s = new Session(limitedLab(1), { owner: IN_WORKSHOP, backend: new FakeBackend(), observer, resolveImage: async () => 'image:test' });
  await s.start();
  const state = s.view().tasks.find((t) => t.id === 'name-it')!;
  assert.equal(state.status, 'failed');
  assert.equal(state.tally?.closed, true);
  assert.equal(s.answer('name-it', 'write').ok, false);
});

test('the penalty lowers the score of a pass; wrong answers after the pass cost nothing', async () => {
  const s = new Session(limitedLab(null, 0.25), { owner: IN_WORKSHOP, backend: new FakeBackend(), resolveImage: async () => 'image:test' });
  await s.start();
  s.answer('name-it', 'read');
  s.answer('name-it', 'pread');
  const pass = s.answer('name-it', 'write');
  assert.equal(pass.ok && pass.value.tally?.score, 0.5);
  s.answer('name-it', 'read');
  const tally = s.view().tasks.find((t) => t.id === 'name-it')!.tally!;
  assert.deepEqual([tally.wrong, tally.score, tally.attemptsLeft], [2, 0.5, null]);
  assert.match(tally.note, /Scored 0\.5 of 1/);
});

test('alone (no workshop) a question never closes and shows no limit: nobody could reopen it', async () => {
  const s = new Session(limitedLab(1, 0.5), { backend: new FakeBackend(), resolveImage: async () => 'image:test' });
  await s.start();
  assert.equal(s.answer('name-it', 'read').ok, true);
  const pass = s.answer('name-it', 'write');
  assert.equal(pass.ok && pass.value.passed, true);
  assert.equal(s.view().tasks.find((t) => t.id === 'name-it')!.tally!.note, '');
});

test('without a progress store (the self-test) the session enforces the limit in memory; a check task has no tally', async () => {
  const s = new Session(limitedLab(1), { owner: IN_WORKSHOP, backend: new FakeBackend(), resolveImage: async () => 'image:test' });
  await s.start();
  assert.equal(s.view().tasks.find((t) => t.id === 'fix-it')!.tally, undefined);
  assert.equal(s.answer('name-it', 'read').ok, true);
  assert.equal(s.answer('name-it', 'write').ok, false);
});

test('two answers sent at once cannot both be the last allowed attempt', async () => {
  const observer = new RecordingObserver();
  const s = new Session(limitedLab(1), { owner: IN_WORKSHOP, backend: new FakeBackend(), observer, resolveImage: async () => 'image:test' });
  await s.start();
  const [a, b] = await Promise.all([Promise.resolve().then(() => s.answer('name-it', 'read')), Promise.resolve().then(() => s.answer('name-it', 'pread'))]);
  assert.deepEqual([a.ok, b.ok], [true, false]);
  assert.equal(observer.counts.get('name-it')?.wrong, 1);
});

test('the runner words its messages in the language each learner reads: progress, task results, errors and notices', async () => {
  const { s, backend } = await running();
  const hangul = /[\uAC00-\uD7A3]/;
  assert.deepEqual(s.view('en').progress.map((p) => p.message), ['preparing the lab image', 'starting the container', 'starting the fault workload', 'the lab is ready']);
  assert.deepEqual(s.view('ko').progress.map((p) => p.message), ['실습 이미지를 준비하는 중', '컨테이너를 시작하는 중', '장애 워크로드를 시작하는 중', '실습이 준비되었습니다']);

  // A check that prints nothing gets the runner's own word for its result, kept in every language.
  backend.execResult = () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1 });
  const check = await s.runCheck('fix-it', 'ko');
  assert.equal(check.ok && check.value.message, '통과');
  assert.equal(s.view('en').tasks.find((t) => t.id === 'fix-it')!.message, 'passed', 'switching back to English shows English');

  // A refusal carries its words; the API answers in the request's language.
  const empty = s.answer('name-it', '   ', 'ko');
  assert.equal(empty.ok, false);
  assert.deepEqual(!empty.ok && empty.error.words, { en: 'the answer is empty', ko: '답이 비어 있습니다' });
  assert.equal(!empty.ok && empty.error.message, 'the answer is empty', 'message is the English, for logs and the CLI');
  const wrong = s.answer('name-it', 'read', 'ko');
  assert.ok(wrong.ok && hangul.test(wrong.value.message), `a wrong answer graded on a Korean page is worded in Korean: ${wrong.ok && wrong.value.message}`);
  assert.ok(!hangul.test(s.view('en').tasks.find((t) => t.id === 'name-it')!.message), 'and in English for an English page');

  // An outage: each terminal hears of it in its own learner's language; the view's error too.
  const en = new FakeViewer('en');
  const ko = new FakeViewer('ko');
  s.terminal.attach(en);
  s.terminal.attach(ko);
  await settle();
  backend.reachable = false;
  await s.probe();
  assert.match(s.view('ko').error ?? '', /실습 컨테이너는 아직 남아 있을 수 있으며, 러너가 10초마다 다시 시도합니다/);
  assert.match(s.view('en').error ?? '', /container may still exist/);
  const notice = (v: FakeViewer): string => v.messages.find((m) => m.type === 'notice')?.message ?? '';
  assert.match(notice(ko), /러너가 10초마다 다시 시도합니다/);
  assert.match(notice(en), /the runner retries every 10 s/);
  const refused = await s.runCheck('fix-it', 'ko');
  assert.ok(!refused.ok && refused.error.words && hangul.test(refused.error.words.ko), 'a check refused during the outage says why in Korean');
  backend.reachable = true;
  await s.probe();
  assert.equal(s.phase, 'running');
});
