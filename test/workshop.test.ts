// Workshops against real Docker containers and a real progress database:
// several learners at once, each isolated from the others, per-learner fault
// parameters, the instructor's roster (JSON and live stream), timelines, grade
// export (API and CLI), and clear errors for bad input and full capacity.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { okValue } from './helpers/backend-result.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { ContainerBackend } from '../runner/src/node/backends/container.ts';
import { loadOrCreateSecret, pickParams } from '../runner/src/node/workshops/param-picker.ts';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { WS_CLOSE } from '../runner/src/common/protocol.ts';
import { GRADE_CSV_COLUMNS, type GradeReport } from '../runner/src/common/grades.ts';
import type { JoinWorkshopResponse, RosterResponse, TimelineResponse, WorkshopInfo } from '../runner/src/common/workshop.ts';

const LAB = 'syscall-storm';
const LABS_CLI = join(REPO_ROOT, 'runner', 'bin', 'labs.mjs');
/** Three learners' labs plus the instructor's: the runner's limit in this file. */
const MAX_SESSIONS = 4;

let r: TestRunner;
let workshop: WorkshopInfo;
interface Learner { id: string; name: string; token: string; syscall: string; session?: { id: string; token: string } }
const learners: Learner[] = [];

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
const as = (token: string | null) => ({ authorization: token ? `Bearer ${token}` : '' });
async function joinWorkshop(code: string, name: string): Promise<{ status: number; json: any }> {
  return r.call('POST', '/api/workshops/join', { body: { code, name }, headers: as(null) });
}
function expectedSyscall(learnerId: string): string {
  const lab = r.manager.labs.get(LAB)!;
  return pickParams(loadOrCreateSecret(r.dataDir), r.workshops.seed(workshop.id)!, learnerId, lab).syscall!;
}

before(async () => {
  r = await startTestRunner({ maxSessions: MAX_SESSIONS, allowHostRootLabs: true });
});
after(async () => { await r.dispose(); });

test('the instructor creates a workshop; only the owner token may', async () => {
  const body = { title: 'Kernel debugging 101', labs: [LAB], seats: 10, endsAt: inAnHour() };
  const noToken = await r.call('POST', '/api/workshops', { body, headers: as(null) });
  assert.equal(noToken.status, 401);
  const unknownLab = await r.call('POST', '/api/workshops', { body: { ...body, labs: [LAB, 'no-such-lab'] } });
  assert.equal(unknownLab.status, 400);
  assert.match(unknownLab.json.error.message, /unknown lab "no-such-lab"; known labs: .*syscall-storm/);
  const past = await r.call('POST', '/api/workshops', { body: { ...body, endsAt: '2020-01-01T00:00:00Z' } });
  assert.equal(past.status, 400);
  assert.match(past.json.error.message, /endsAt 2020-01-01T00:00:00Z is in the past/);
  const badSeats = await r.call('POST', '/api/workshops', { body: { ...body, seats: 0 } });
  assert.equal(badSeats.status, 400);
  assert.match(badSeats.json.error.message, /seats/);

  const created = await r.call('POST', '/api/workshops', { body });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  workshop = created.json;
  assert.match(workshop.id, /^w-[a-z2-7]{12}$/);
  assert.match(workshop.joinCode, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.equal(workshop.joinPath, `/workshop?code=${workshop.joinCode}`);
  assert.equal(workshop.state, 'open');
  assert.deepEqual([workshop.seats, workshop.seatsTaken], [10, 0]);

  // While learners may use the site, browsers are not handed the owner token.
  const boot = await fetch(`${r.url}/api/bootstrap`, { method: 'POST', headers: { origin: r.url, 'sec-fetch-site': 'same-origin' } });
  assert.deepEqual(await boot.json(), { mode: 'workshop' });
});

test('learners join with the code and a name; bad joins name what was wrong', async () => {
  const bad = await joinWorkshop('nope', 'Ann');
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /"nope" is not a join code \(expected 8 letters and digits, like ABCD-EFGH\)/);
  const unknown = await joinWorkshop('ZZZZ-ZZZZ', 'Ann');
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error.message, /no workshop has join code ZZZZ-ZZZZ/);
  const noName = await joinWorkshop(workshop.joinCode, '   ');
  assert.equal(noName.status, 400);
  assert.match(noName.json.error.message, /name is empty/);

  // Join until two learners have different fault parameters (each has 1/3 odds to match).
  const names = ['Ann', 'Bo', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal'];
  for (const name of names) {
    const j = await joinWorkshop(workshop.joinCode.toLowerCase(), `  ${name} `); // codes are case-insensitive, names trimmed
    assert.equal(j.status, 201, JSON.stringify(j.json));
    const body = j.json as JoinWorkshopResponse;
    assert.equal(body.learner.name, name);
    assert.match(body.token, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(body.workshop.labs, [LAB]);
    learners.push({ id: body.learner.id, name, token: body.token, syscall: expectedSyscall(body.learner.id) });
    if (learners.length >= 3 && new Set(learners.map((l) => l.syscall)).size >= 2) break;
  }
  assert.ok(new Set(learners.map((l) => l.syscall)).size >= 2, 'two learners with different parameters');
  // Put a differing pair first: learners[0] and learners[1].
  const other = learners.findIndex((l) => l.syscall !== learners[0]!.syscall);
  [learners[1], learners[other]] = [learners[other]!, learners[1]!];

  const dup = await joinWorkshop(workshop.joinCode, 'ann');
  assert.equal(dup.status, 409);
  assert.match(dup.json.error.message, /already uses the name "ann"/);
  const forged = await r.call('GET', '/api/progress', { headers: as('x'.repeat(43)) });
  assert.equal(forged.status, 401);
  assert.match(forged.json.error.message, /owner token .* or a workshop learner token/);
});

test('a full, an ended and a closed workshop refuse joins clearly', async () => {
  const small = (await r.call('POST', '/api/workshops', { body: { labs: [LAB], seats: 1, endsAt: inAnHour() } })).json as WorkshopInfo;
  assert.equal((await joinWorkshop(small.joinCode, 'First')).status, 201);
  const full = await joinWorkshop(small.joinCode, 'Second');
  assert.equal(full.status, 409);
  assert.match(full.json.error.message, /is full \(1 of 1 seats taken\)/);

  const short = (await r.call('POST', '/api/workshops', { body: { labs: [LAB], seats: 5, endsAt: new Date(Date.now() + 1500).toISOString() } })).json as WorkshopInfo;
  const early = await joinWorkshop(short.joinCode, 'Early');
  assert.equal(early.status, 201);
  await new Promise((res) => setTimeout(res, 1700));
  const late = await joinWorkshop(short.joinCode, 'Late');
  assert.equal(late.status, 410);
  assert.match(late.json.error.message, /ended at/);
  const startLate = await r.call('POST', '/api/sessions', { body: { labId: LAB }, headers: as(early.json.token) });
  assert.equal(startLate.status, 410, 'an ended workshop starts no labs');
  const progress = await r.call('GET', '/api/progress', { headers: as(early.json.token) });
  assert.equal(progress.status, 200, 'progress stays readable after the end');

  const closing = (await r.call('POST', '/api/workshops', { body: { labs: [LAB], seats: 5, endsAt: inAnHour() } })).json as WorkshopInfo;
  const closed = await r.call('POST', `/api/workshops/${closing.id}/close`);
  assert.equal(closed.json.state, 'closed');
  const afterClose = await joinWorkshop(closing.joinCode, 'Anyone');
  assert.equal(afterClose.status, 410);
  assert.match(afterClose.json.error.message, /was closed by the instructor/);

  const bogus = await r.call('GET', '/api/workshops/w-aaaaaaaaaaaa/roster');
  assert.equal(bogus.status, 404);
  const malformed = await r.call('GET', '/api/workshops/../../etc/roster');
  assert.ok(malformed.status === 400 || malformed.status === 404);
});

test('three learners run labs at once, each with their own fault parameter', { timeout: 240_000 }, async () => {
  const trio = learners.slice(0, 3);
  const started = await Promise.all(trio.map((l) => r.call('POST', '/api/sessions?wait=1', { body: { labId: LAB }, headers: as(l.token) })));
  for (const [i, s] of started.entries()) {
    assert.equal(s.status, 201, JSON.stringify(s.json));
    trio[i]!.session = { id: s.json.session.id, token: s.json.token };
    assert.equal(s.json.session.learnerId, trio[i]!.id);
    assert.equal(s.json.session.workshopId, workshop.id);
  }
  for (const l of trio) {
    // The lab's setup sealed this learner's value for relayd: the file holds a seed, not the call.
    const got = await r.manager.get(l.session!.id)!.execScript('cat /var/lib/relayd/profile', 10_000);
    assert.ok(got.ok);
    assert.match(got.value.stdout.trim(), /^[0-9a-f]{32}$/);
    // A script has the value as a shell variable, never in an environment a root shell can read in /proc.
    const env = await r.manager.get(l.session!.id)!.execScript(
      'echo "var=$KDLABS_PARAM_SYSCALL"; bash -c \'echo "child=${KDLABS_PARAM_SYSCALL:-}"\'; cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c ^KDLABS_PARAM_ || true', 10_000);
    assert.ok(env.ok);
    assert.deepEqual(env.value.stdout.trim().split('\n'), [`var=${l.syscall}`, 'child=', '0'], env.value.stderr);
  }
  // The storm really uses each learner's own call: strace counts the calls of their relayd.
  for (const l of trio) {
    const traced = await r.manager.get(l.session!.id)!.execScript(
      'strace -c -o /tmp/c.txt -p "$(cat /run/relayd.pid)" & sleep 1; kill -INT $!; wait; cat /tmp/c.txt', 30_000);
    assert.ok(traced.ok);
    const top = traced.value.stdout.split('\n').find((line) => /^\s*\d+\.\d+\s/.test(line)) ?? '';
    assert.match(top, new RegExp(`\\s${l.syscall}\\s*$`), `strace's busiest call is ${l.syscall}:\n${traced.value.stdout}`);
  }

  const again = await r.call('POST', '/api/sessions', { body: { labId: LAB }, headers: as(trio[0]!.token) });
  assert.equal(again.status, 409);
  assert.match(again.json.error.message, /you already run lab syscall-storm as session s-/);
  const notInWorkshop = await r.call('POST', '/api/sessions', { body: { labId: 'some-other-lab' }, headers: as(trio[0]!.token) });
  assert.equal(notInWorkshop.status, 403);
  assert.match(notInWorkshop.json.error.message, /is not part of workshop/);
});

test("a learner cannot reach another learner's lab, list it, read their progress or open their terminal", async () => {
  const [a, b] = learners as [Learner, Learner];
  const list = await r.call('GET', '/api/sessions', { headers: as(a.token) });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.sessions.map((s: { id: string }) => s.id), [a.session!.id], 'only their own lab');
  assert.deepEqual(Object.keys(list.json.tokens), [a.session!.id]);
  assert.equal(list.json.tokens[a.session!.id], a.session!.token);
  assert.equal((await r.call('GET', '/api/sessions')).json.sessions.length, 3, 'the owner sees every lab');

  const theirs = b.session!.id;
  for (const token of [a.token, a.session!.token]) {
    for (const [method, path, body] of [
      ['GET', `/api/sessions/${theirs}`], ['DELETE', `/api/sessions/${theirs}`], ['POST', `/api/sessions/${theirs}/reset`],
      ['POST', `/api/sessions/${theirs}/tasks/batch-writes/check`], ['POST', `/api/sessions/${theirs}/tasks/find-process/answer`, { answer: 'relayd' }],
      ['POST', `/api/sessions/${theirs}/tasks/find-process/hint`], ['POST', `/api/sessions/${theirs}/solution`],
    ] as Array<[string, string, unknown?]>) {
      const res = await r.call(method, path, { headers: as(token), ...(body ? { body } : {}) });
      assert.equal(res.status, 404, `${method} ${path} with another learner's token: ${JSON.stringify(res.json)}`);
    }
  }
  assert.equal(r.manager.get(theirs)?.phase, 'running', "the other learner's lab is untouched");

  for (const path of [`/api/workshops/${workshop.id}/roster`, `/api/workshops/${workshop.id}/grades`, `/api/workshops/${workshop.id}/learners/${b.id}/timeline`, '/api/workshops']) {
    const res = await r.call('GET', path, { headers: as(a.token) });
    assert.equal(res.status, 403, path);
    assert.match(res.json.error.message, /for the instructor/);
  }
  const own = await r.call('GET', '/api/progress', { headers: as(a.token) });
  assert.equal(own.json.learner.id, a.id);
  assert.equal(JSON.stringify(own.json).includes(b.id), false);

  // Terminals: only the session token (or the owner's) opens one.
  for (const token of [a.token, a.session!.token]) {
    const t = new TerminalClient({ url: r.url, sessionId: theirs, token });
    const closed = await t.closed;
    assert.equal(closed.code, WS_CLOSE.notFound);
  }
  const mine = new TerminalClient({ url: r.url, sessionId: a.session!.id, token: a.session!.token });
  await mine.opened;
  mine.input('echo mine-$((40+2))\r');
  await mine.waitFor(/mine-42/);
  mine.close();

  // Nothing in the API tells a learner their parameter.
  const view = await r.call('GET', `/api/sessions/${a.session!.id}`, { headers: as(a.token) });
  const lab = await r.call('GET', `/api/labs/${LAB}`, { headers: as(a.token) });
  for (const text of [JSON.stringify(view.json), JSON.stringify(lab.json), JSON.stringify(own.json)]) {
    assert.doesNotMatch(text, /KDLABS_PARAM|"params"|"choices"|record-call|\{\{value\}\}/);
  }
});

test('the roster streams every change; timeline and grades match what learners did', { timeout: 120_000 }, async () => {
  const [a, b, c] = learners as [Learner, Learner, Learner];
  const stream = openRosterStream(`${r.url}/api/workshops/${workshop.id}/roster/stream?token=${r.ownerToken}`);
  try {
    const first = await stream.next((x) => x.learners.length >= 3);
    assert.ok(first.learners.every((l) => l.labs[0]!.tasks.every((t) => t.status === 'pending')));

    const act = async (l: Learner, kind: string, task: string | null, answer?: string) => {
      const path = task ? `/api/sessions/${l.session!.id}/tasks/${task}/${kind}` : `/api/sessions/${l.session!.id}/${kind}`;
      const res = await r.call('POST', path, { headers: as(l.token), ...(answer !== undefined ? { body: { answer } } : {}) });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      return res.json;
    };
    assert.equal((await act(a, 'answer', 'find-process', 'sshd')).passed, false);
    assert.equal((await act(a, 'answer', 'find-process', 'relayd')).passed, true);
    assert.equal((await act(a, 'hint', 'find-syscall')).index, 0);
    assert.equal((await act(a, 'answer', 'find-syscall', a.syscall)).passed, true);
    await act(a, 'solution', null);
    // Copying a neighbour's answer fails: b's value differs from a's.
    assert.notEqual(a.syscall, b.syscall);
    assert.equal((await act(b, 'answer', 'find-syscall', a.syscall)).passed, false, "a's answer is wrong for b");
    assert.equal((await act(b, 'answer', 'find-syscall', `sys_${b.syscall}`)).passed, true);
    assert.equal((await act(b, 'check', 'batch-writes')).passed, false);

    const pushed = await stream.next((x) => {
      const la = x.learners.find((l) => l.id === a.id)?.labs[0];
      const lb = x.learners.find((l) => l.id === b.id)?.labs[0];
      return la?.solutionRevealed === true && lb?.tasks.find((t) => t.taskId === 'batch-writes')?.status === 'failed';
    });
    const ra = pushed.learners.find((l) => l.id === a.id)!.labs[0]!;
    assert.deepEqual(ra.tasks.map((t) => [t.taskId, t.status, t.attempts]), [
      ['find-process', 'passed', 2], ['kernel-column', 'pending', 0], ['find-syscall', 'passed', 1], ['batch-writes', 'pending', 0], ['verify-rate', 'pending', 0],
    ]);
    assert.equal(ra.hintsUsed, 1);
    assert.equal(ra.status, 'in-progress');
    assert.equal(ra.liveSessionId, a.session!.id);
  } finally {
    stream.close();
  }

  const roster = (await r.call('GET', `/api/workshops/${workshop.id}/roster`)).json as RosterResponse;
  assert.deepEqual(roster.labs.map((l) => l.id), [LAB]);
  const rc = roster.learners.find((l) => l.id === c.id)!;
  assert.equal(rc.labs[0]!.status, 'in-progress', 'started, nothing passed');
  assert.ok(roster.learners.filter((l) => !l.labs[0]!.liveSessionId).every((l) => l.labs[0]!.status === 'not-started'));

  const tl = (await r.call('GET', `/api/workshops/${workshop.id}/learners/${a.id}/timeline`)).json as TimelineResponse;
  assert.deepEqual(tl.events.map((e) => [e.kind, e.taskId, e.passed]), [
    ['join', null, null], ['session-start', null, null],
    ['answer', 'find-process', false], ['answer', 'find-process', true], ['hint', 'find-syscall', null],
    ['answer', 'find-syscall', true], ['solution', null, null],
  ]);
  assert.equal(tl.events[2]!.detail, 'sshd', 'answers are kept as typed');
  const otherWorkshopsLearner = await r.call('GET', `/api/workshops/${workshop.id}/learners/l-aaaaaaaaaaaa/timeline`);
  assert.equal(otherWorkshopsLearner.status, 404);

  const grades = (await r.call('GET', `/api/workshops/${workshop.id}/grades`)).json as GradeReport;
  const ga = grades.learners.find((l) => l.id === a.id)!;
  assert.equal(ga.credit, 0.4, '2 of 5 tasks');
  assert.deepEqual(ga.labs[0]!.tasks.filter((t) => t.passed).map((t) => t.taskId), ['find-process', 'find-syscall']);
  assert.equal(ga.labs[0]!.tasks[0]!.attempts, 2);
  assert.ok(ga.labs[0]!.solutionRevealedAt);
  const gb = grades.learners.find((l) => l.id === b.id)!;
  assert.equal(gb.credit, 0.2);
  assert.equal(gb.labs[0]!.tasks.find((t) => t.taskId === 'find-syscall')!.attempts, 2);
  assert.equal(grades.learners.find((l) => l.id === c.id)!.credit, 0);
  assert.equal(grades.learners.length, learners.length);

  const csvRes = await fetch(`${r.url}/api/workshops/${workshop.id}/grades?format=csv`, { headers: as(r.ownerToken) });
  assert.equal(csvRes.status, 200);
  assert.match(csvRes.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(csvRes.headers.get('content-disposition') ?? '', /grades-w-/);
  const csv = await csvRes.text();
  const rows = csv.trim().split('\r\n').map((line) => line.split(','));
  assert.deepEqual(rows[0], [...GRADE_CSV_COLUMNS]);
  const col = (name: string) => GRADE_CSV_COLUMNS.indexOf(name as (typeof GRADE_CSV_COLUMNS)[number]);
  const labRows = rows.slice(1).filter((row) => row[col('item_kind')] === 'lab');
  assert.equal(labRows.length, learners.length * 5, 'one row per learner × task');
  const questions = grades.quizzes.reduce((n, q) => n + q.questions.length, 0);
  assert.equal(rows.length - 1 - labRows.length, learners.length * questions, 'and one per learner × quiz question');
  for (const row of labRows) {
    const g = grades.learners.find((l) => l.id === row[col('learner_id')])!;
    const t = g.labs[0]!.tasks.find((x) => x.taskId === row[col('task_id')])!;
    assert.equal(row[col('task_passed')], t.passed ? '1' : '0');
    assert.equal(row[col('task_passed_at')], t.passedAt ?? '');
    assert.equal(Number(row[col('task_attempts')]), t.attempts);
    assert.equal(Number(row[col('lab_credit')]), g.labs[0]!.credit);
    assert.equal(row[col('learner_name')], g.name);
  }
  const badFormat = await r.call('GET', `/api/workshops/${workshop.id}/grades?format=xlsx`);
  assert.equal(badFormat.status, 400);
  assert.match(badFormat.json.error.message, /expected json or csv/);

  // The CLI prints the same CSV, and creates workshops. (Not spawnSync: this runner lives in this process.)
  const cliCsv = await cli('grade', workshop.id, '--csv', '--url', r.url);
  assert.equal(cliCsv.status, 0, cliCsv.stderr);
  assert.equal(cliCsv.stdout, csv);
  const byCode = await cli('grade', workshop.joinCode, '--json', '--url', r.url);
  assert.equal(byCode.status, 0, byCode.stderr);
  assert.equal((JSON.parse(byCode.stdout) as GradeReport).learners.find((l) => l.id === a.id)!.credit, 0.4);
  const created = await cli('workshop', 'create', '--labs', LAB, '--seats', '20', '--ends', '2h', '--url', r.url);
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /join code: [A-Z2-9]{4}-[A-Z2-9]{4}/);
  assert.match(created.stdout, new RegExp(`join link: ${r.url.replace(/[.]/g, '\\.')}/workshop\\?code=[A-Z2-9]{4}-[A-Z2-9]{4}`));
  const badCli = await cli('workshop', 'create', '--labs', LAB, '--seats', '20', '--ends', 'soon', '--url', r.url);
  assert.equal(badCli.status, 2);
  assert.match(badCli.stderr, /--ends "soon" is neither a duration/);
});

test('a runner started without --allow-host-root-labs refuses host-root labs in a workshop, and says why', async () => {
  const strict = await startTestRunner();
  try {
    const refused = await strict.call('POST', '/api/workshops', { body: { labs: ['hung-task', LAB], seats: 5, endsAt: inAnHour() } });
    assert.equal(refused.status, 403);
    assert.match(refused.json.error.message, new RegExp(`"${LAB}" would mean each learner .*root on the machine`));
    assert.match(refused.json.error.message, /SYS_ADMIN: mount file systems/);
    assert.match(refused.json.error.message, /only when the runner is started with --allow-host-root-labs/);
    assert.match(refused.json.error.message, /keep learners off the host: .*hung-task/);
    const labs = (await strict.call('GET', '/api/labs')).json.labs as Array<{ id: string; hostRoot: string[] }>;
    assert.ok(labs.find((l) => l.id === LAB)!.hostRoot.length > 0, 'the page learns why');
    assert.deepEqual(labs.find((l) => l.id === 'hung-task')!.hostRoot, []);
    const vmOnly = await strict.call('POST', '/api/workshops', { body: { labs: ['hung-task'], seats: 5, endsAt: inAnHour() } });
    assert.equal(vmOnly.status, 201, JSON.stringify(vmOnly.json));
  } finally {
    await strict.dispose();
  }
});

test('when the runner is full, a start is refused with 429 and nothing half-started', { timeout: 120_000 }, async () => {
  const mine = await r.startLab(LAB); // the instructor's lab: the runner now holds its limit
  try {
    assert.equal(r.manager.live().length, MAX_SESSIONS);
    const backend = new ContainerBackend(new Docker(), r.name);
    const containers = okValue(await backend.listOwned(r.name)).length;
    const extra = learners[3] ?? (await joinWorkshop(workshop.joinCode, 'Extra')).json;
    const refused = await r.call('POST', '/api/sessions?wait=1', { body: { labId: LAB }, headers: as(extra.token) });
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, 'capacity');
    assert.match(refused.json.error.message, new RegExp(`already runs ${MAX_SESSIONS} labs \\(its limit is ${MAX_SESSIONS}\\)`));
    assert.equal(r.manager.list().length, MAX_SESSIONS, 'no session was created');
    assert.equal(okValue(await backend.listOwned(r.name)).length, containers, 'no container was created');
  } finally {
    await r.call('DELETE', `/api/sessions/${mine.session.id}`);
  }
});

/** Runs the `labs` CLI against this file's runner (its data dir holds the owner token). */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LABS_CLI, ...args], { env: { ...process.env, KDLABS_DATA_DIR: r.dataDir } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A minimal EventSource: reads `event: roster` messages from a fetch body. */
function openRosterStream(url: string) {
  const controller = new AbortController();
  const events: RosterResponse[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const res = await fetch(url, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!/^event: roster$/m.test(block)) continue;
          events.push(JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as RosterResponse);
          for (const w of waiters) w();
        }
      }
    } catch { /* aborted */ }
  })();
  return {
    next: (pred: (r: RosterResponse) => boolean, timeoutMs = 20_000): Promise<RosterResponse> => new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = events.find(pred);
        if (hit) { waiters.delete(check); clearTimeout(timer); resolve(hit); return true; }
        return false;
      };
      const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no matching roster event in ${timeoutMs} ms (${events.length} seen)`)); }, timeoutMs);
      if (!check()) waiters.add(check);
    }),
    close: () => controller.abort(),
  };
}
