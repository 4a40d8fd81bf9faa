import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PICTURE_BYTES } from '../../common/pictures.ts';
import { isPictureName, parsePictureText, summaryOf } from './picture-file.ts';
import { FLAME } from './host-exec.test-support.ts';


test('picture names follow the pattern and nothing else', () => {
  assert.ok(isPictureName('flame-1764650000000-lab-profile.json'));
  assert.ok(isPictureName('charts-1764650000000-syscalls.json'));
  for (const bad of ['../etc/passwd', 'flame-1764650000000-x.json/..', 'flame-123-x.json', 'svg-1764650000000-x.json', 'flame-1764650000000-X.json',
    'flame-1764650000000-x.json\n', 'flame-1764650000000-.json', `flame-1764650000000-${'a'.repeat(41)}.json`, '', 42]) {
    assert.equal(isPictureName(bad), false, String(bad));
  }
});

test('a valid picture parses; its summary has what a list needs', () => {
  const r = parsePictureText(JSON.stringify(FLAME));
  assert.ok(r.ok);
  assert.deepEqual(summaryOf('flame-1764650000000-p.json', r.picture), { name: 'flame-1764650000000-p.json', kind: 'flame', title: FLAME.title, createdAt: FLAME.createdAt });
});

test('bad files are named with what is wrong', () => {
  const notJson = parsePictureText('{"kind": "flame",');
  assert.ok(!notJson.ok && /not JSON/.test(notJson.problem));
  const wrong = parsePictureText(JSON.stringify({ ...FLAME, stacks: [['a', -1]], extra: 1 }));
  assert.ok(!wrong.ok && /does not match the picture format/.test(wrong.problem) && /stacks\.0\.1/.test(wrong.problem), !wrong.ok ? wrong.problem : '');
  const kind = parsePictureText(JSON.stringify({ ...FLAME, kind: 'svg' }));
  assert.ok(!kind.ok && /kind/.test(kind.problem));
  const big = parsePictureText(' '.repeat(MAX_PICTURE_BYTES + 1));
  assert.ok(!big.ok && /larger than/.test(big.problem));
});
