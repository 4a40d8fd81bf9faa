// The runner speaks the learner's language: a lab's public view in Korean with
// its answers still absent, an unknown language refused naming the known ones,
// and a real lab started from a Korean page: its start's progress, its check
// (the script speaks Korean), its refusals and its terminal's last word in Korean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { localizeLab } from '../runner/src/common/lab-translation.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { WS_CLOSE, type SessionView, type StartSessionResponse } from '../runner/src/common/protocol.ts';

const HANGUL = /[\uAC00-\uD7A3]/;
const KOREAN_PAGE = { 'accept-language': 'ko' };

let r: TestRunner;
before(async () => { r = await startTestRunner(); });
after(async () => { await r.dispose(); });

test('translated labs are listed in Korean on ?lang=ko, without answers, and in English by default', async () => {
  const translated = [...r.manager.labs.values()].filter((l) => l.translations?.ko);
  assert.ok(translated.length > 0, 'at least one lab is translated');
  for (const lab of translated) {
    const ko = await r.call('GET', `/api/labs/${lab.id}?lang=ko`);
    assert.equal(ko.status, 200);
    const korean = localizeLab(lab, 'ko');
    assert.equal(ko.json.title, korean.title);
    assert.deepEqual(ko.json.tasks.map((t: { title: string }) => t.title), korean.tasks.map((t) => t.title));
    assert.deepEqual(ko.json.steps.map((s: { markdown: string }) => s.markdown), korean.steps.map((s) => s.markdown));
    const text = JSON.stringify(ko.json);
    for (const t of korean.tasks) {
      if (t.question?.why) assert.ok(!text.includes(t.question.why), `${lab.id}/${t.id}: the Korean reason stays on the runner`);
      if (t.question) assert.ok(!text.includes(t.question.answer.pattern), `${lab.id}/${t.id}: the pattern stays on the runner`);
    }
    const en = await r.call('GET', `/api/labs/${lab.id}`);
    assert.equal(en.json.title, lab.title);
  }
  const bad = await r.call('GET', '/api/labs?lang=fr');
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /lang "fr" is not known \(expected en or ko\)/);
});

test('a lab started from a Korean page hears the runner in Korean: progress, check, refusals, terminal', { timeout: 180_000 }, async () => {
  const started = await r.call('POST', '/api/sessions', { body: { labId: 'syscall-storm' }, headers: KOREAN_PAGE });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  const { session, token } = started.json as StartSessionResponse;
  let view = session;
  for (const deadline = Date.now() + 150_000; view.phase === 'starting' && Date.now() < deadline;) {
    await new Promise((res) => setTimeout(res, 300));
    view = (await r.call('GET', `/api/sessions/${session.id}`, { headers: KOREAN_PAGE })).json as SessionView;
  }
  assert.equal(view.phase, 'running', view.error ?? '');
  // Every line the runner words itself is Korean; an image build's own lines (docker's) would be quoted as they are.
  assert.equal(view.progress[0]!.message, '실습 이미지를 준비하는 중');
  const worded = view.progress.filter((p) => p.stage !== 'image');
  assert.deepEqual(worded.filter((p) => !HANGUL.test(p.message)), [], 'no English line after the image');
  assert.deepEqual(worded.map((p) => p.stage), ['environment', 'environment', 'setup', 'ready']);
  assert.equal(view.progress.at(-1)!.message, '실습이 준비되었습니다');
  const english = (await r.call('GET', `/api/sessions/${session.id}`)).json as SessionView;
  assert.equal(english.progress.at(-1)!.message, 'the lab is ready', 'the same session, read without a language, is English');

  // The check's script gets KDLABS_LANG=ko and says why it fails in Korean; without it, in English.
  const check = await r.call('POST', `/api/sessions/${session.id}/tasks/batch-writes/check?lang=ko`);
  assert.equal(check.status, 200);
  assert.equal(check.json.passed, false);
  assert.match(check.json.message, /^relayd가 아직 호출당 약 \d+ 바이트를 커널에 넘깁니다/);
  const checkEn = await r.call('POST', `/api/sessions/${session.id}/tasks/batch-writes/check`);
  assert.match(checkEn.json.message, /^relayd still hands the kernel about \d+ bytes per call/);

  // A refusal comes in the page's language; the CLI (no Accept-Language) gets English.
  const question = (await r.call('GET', '/api/labs/syscall-storm')).json.tasks.find((t: { question?: unknown }) => t.question);
  const empty = await r.call('POST', `/api/sessions/${session.id}/tasks/${question.id}/answer`, { body: { answer: '  ' }, headers: KOREAN_PAGE });
  assert.equal(empty.status, 400);
  assert.equal(empty.json.error.message, '답이 비어 있습니다');
  const emptyEn = await r.call('POST', `/api/sessions/${session.id}/tasks/${question.id}/answer`, { body: { answer: '  ' } });
  assert.equal(emptyEn.json.error.message, 'the answer is empty');

  // The shell a Korean page opens greets with the lab's Korean banner, paths unchanged, and leaves no trace of it in the environment.
  const t = new TerminalClient({ url: r.url, sessionId: session.id, token, lang: 'ko' });
  const said: string[] = [];
  t.onMessage((m) => { if (m.type === 'error') said.push(m.message); });
  await t.opened;
  const banner = await t.waitFor(/제어: relayctl \{status\|restart\}[\s\S]*# $/m, 20_000);
  assert.match(banner, /실습: 시스템 콜 폭주/);
  assert.doesNotMatch(banner, /Control it with/, 'the English banner is not shown as well');
  t.input('env | grep -c KDLABS_BANNER=; echo ENV-$((40+2))\r');
  assert.match(await t.waitFor(/^0\r?\nENV-42/m, 10_000), /^0\r?\nENV-42/m);
  // Told in Korean when the lab stops; the close reason fits its frame.
  assert.equal((await r.call('DELETE', `/api/sessions/${session.id}`, { headers: KOREAN_PAGE })).status, 200);
  const closed = await t.closed;
  assert.equal(closed.code, WS_CLOSE.sessionStopped);
  assert.deepEqual(said, ['실습이 중지되었습니다']);
  assert.ok(HANGUL.test(closed.reason), `close reason: ${closed.reason}`);
  const late = await r.call('POST', `/api/sessions/${session.id}/tasks/${question.id}/answer`, { body: { answer: 'write' }, headers: KOREAN_PAGE });
  assert.ok(late.status === 410 || late.status === 404, `answer after stop: ${late.status}`);
  if (late.status === 410) assert.ok(HANGUL.test(late.json.error.message), late.json.error.message);
});
