// The runner speaks the learner's language: a lab's public view in Korean with
// its answers still absent, and an unknown language refused naming the known ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { localizeLab } from '../runner/src/common/lab-translation.ts';

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
