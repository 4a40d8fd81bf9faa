// Progress survives a SIGKILLed runner: every result the runner reported to a
// client before the kill is in the progress database afterwards, and a new
// runner on the same data directory serves it (and reaps the orphaned labs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startChildRunner } from './helpers/runner-process.ts';
import { startTestRunner } from './helpers/runner-fixture.ts';
import { openProgressDb, progressDbPath } from '../runner/src/node/progress/database.ts';
import { ProgressStore } from '../runner/src/node/progress/progress-store.ts';
import { LOCAL_SEED, pickParams } from '../runner/src/node/workshops/param-picker.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import type { ProgressResponse, TimelineResponse } from '../runner/src/common/workshop.ts';

const LAB = 'syscall-storm';

test('every result reported before a SIGKILL is recorded', { timeout: 300_000 }, async () => {
  const child = await startChildRunner({ args: ['--allow-host-root-labs'] });
  const reported: Array<{ who: string; kind: string; taskId: string | null; passed: boolean | null }> = [];
  let learnerId = '';
  try {
    const started = await child.call('POST', '/api/sessions?wait=1', { body: { labId: LAB } });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const local = { session: started.json.session.id as string, token: undefined as string | undefined, who: 'local' };
    /** One action through the API; what the runner answered is what must be on disk. */
    const act = async (kind: 'answer' | 'check' | 'hint', taskId: string, answer?: string, as = local) => {
      const r = await child.call('POST', `/api/sessions/${as.session}/tasks/${taskId}/${kind}`, answer === undefined ? { token: as.token } : { body: { answer }, token: as.token });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      reported.push({ who: as.who, kind, taskId, passed: kind === 'hint' ? null : r.json.passed });
      return r.json;
    };

    // The owner is the self-paced learner; its parameter comes from the runner's secret.
    const secret = Buffer.from(readFileSync(join(child.dataDir, 'runner-secret'), 'utf8').trim(), 'base64url');
    const lab = loadLabs(LABS_DIR).labs.get(LAB)!;
    const mine = pickParams(secret, LOCAL_SEED, 'local', lab).syscall!;
    assert.equal((await act('answer', 'find-process', 'bash')).passed, false);
    assert.equal((await act('answer', 'find-process', 'relayd')).passed, true);
    assert.equal((await act('answer', 'kernel-column', 'sy')).passed, true);
    assert.equal((await act('hint', 'find-syscall')).index, 0);
    assert.equal((await act('hint', 'find-syscall')).index, 1);
    assert.equal((await act('answer', 'find-syscall', mine)).passed, true, `the local parameter is ${mine}`);
    assert.equal((await act('check', 'batch-writes')).passed, false, 'the fault is still there');
    const sol = await child.call('POST', `/api/sessions/${local.session}/solution`);
    assert.equal(sol.status, 200);
    reported.push({ who: 'local', kind: 'solution', taskId: null, passed: null });

    // A workshop learner's results too.
    const w = await child.call('POST', '/api/workshops', { body: { labs: [LAB], seats: 5, endsAt: new Date(Date.now() + 3600_000).toISOString() } });
    assert.equal(w.status, 201, JSON.stringify(w.json));
    const joined = await child.call('POST', '/api/workshops/join', { body: { code: w.json.joinCode, name: 'Kim' }, token: null });
    assert.equal(joined.status, 201, JSON.stringify(joined.json));
    learnerId = joined.json.learner.id;
    const ls = await child.call('POST', '/api/sessions?wait=1', { body: { labId: LAB }, token: joined.json.token });
    assert.equal(ls.status, 201, JSON.stringify(ls.json));
    const learner = { session: ls.json.session.id as string, token: joined.json.token as string, who: 'learner' };
    assert.equal((await act('answer', 'find-process', 'relayd', learner)).passed, true);
    // The last response is in; kill at once, mid-lab.
  } finally {
    await child.kill();
  }

  // 1. The file itself, opened directly.
  const db = openProgressDb(progressDbPath(child.dataDir));
  try {
    const store = new ProgressStore(db);
    const recorded = [...store.timeline('local').map((e) => ({ who: 'local', ...e })), ...store.timeline(learnerId).map((e) => ({ who: 'learner', ...e }))];
    for (const r of reported) {
      const kind = r.kind;
      const matches = recorded.filter((e) => e.who === r.who && e.kind === kind && e.taskId === r.taskId && (r.passed === null || e.passed === r.passed));
      assert.ok(matches.length >= 1, `reported ${JSON.stringify(r)} is recorded`);
    }
    const counted = (who: string, kind: string) => recorded.filter((e) => e.who === who && e.kind === kind).length;
    assert.equal(counted('local', 'answer'), reported.filter((r) => r.who === 'local' && r.kind === 'answer').length);
    assert.equal(counted('local', 'hint'), 2);
    assert.equal(counted('learner', 'join'), 1);
  } finally {
    db.close();
  }

  // 2. A new runner of the same name on the same data: it reaps the labs and serves the progress.
  const next = await startTestRunner({ runnerName: child.name, dataDir: child.dataDir, allowHostRootLabs: true });
  try {
    const p = await next.call('GET', '/api/progress');
    assert.equal(p.status, 200, JSON.stringify(p.json));
    const storm = (p.json as ProgressResponse).labs.find((l) => l.labId === LAB)!;
    assert.equal(storm.status, 'in-progress');
    assert.deepEqual(storm.tasksPassed.sort(), ['find-process', 'find-syscall', 'kernel-column']);
    assert.equal(storm.hintsUsed, 2);
    assert.equal(storm.solutionRevealed, true);
    assert.equal(storm.lastSession?.live, false);
    assert.equal(storm.lastSession?.endReason, 'runner-restart', 'the dangling session was closed at start-up');
    const tl = await next.call('GET', '/api/progress/timeline');
    assert.deepEqual((tl.json as TimelineResponse).events.filter((e) => e.kind === 'answer').map((e) => [e.taskId, e.passed, e.attempt, e.detail]), [
      ['find-process', false, 1, 'bash'], ['find-process', true, 2, 'relayd'], ['kernel-column', true, 1, 'sy'], ['find-syscall', true, 1, (tl.json as TimelineResponse).events.find((e) => e.taskId === 'find-syscall' && e.kind === 'answer')!.detail],
    ]);
    assert.equal((await next.call('GET', '/api/sessions')).json.sessions.length, 0, 'no session survives a restart');
  } finally {
    await next.dispose();
    rmSync(child.dataDir, { recursive: true, force: true });
  }
});
