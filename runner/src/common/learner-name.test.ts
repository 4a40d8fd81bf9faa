import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanLearnerName, learnerNameKey } from './learner-name.ts';

const refused = (raw: string): string => {
  const v = cleanLearnerName(raw);
  assert.equal(v.ok, false, `${JSON.stringify(raw)} is refused`);
  return v.ok ? '' : v.message;
};

test('names are trimmed, single-spaced and bounded', () => {
  assert.deepEqual(cleanLearnerName('  Ada \t  Lovelace '), { ok: true, value: 'Ada Lovelace' });
  assert.match(refused('   '), /name is empty; expected 1 to 60 characters/);
  assert.match(refused('x'.repeat(61)), /name is 61 characters; the limit is 60/);
  assert.deepEqual(cleanLearnerName('é'.repeat(60)), { ok: true, value: 'é'.repeat(60) }, 'counted in characters');
});

test('names are NFKC-normalised: full-width letters and ligatures become plain ones', () => {
  assert.deepEqual(cleanLearnerName('Ａｎｎ'), { ok: true, value: 'Ann' });
  assert.deepEqual(cleanLearnerName('ﬁona'), { ok: true, value: 'fiona' });
  assert.deepEqual(cleanLearnerName('Ann\u3000Lee'), { ok: true, value: 'Ann Lee' }, 'ideographic space is a space');
  assert.deepEqual(cleanLearnerName('José'), { ok: true, value: 'José' }, 'composed');
});

test('zero-width characters are refused, saying which and where', () => {
  for (const c of ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF']) {
    const m = refused(`An${c}n`);
    assert.match(m, /invisible zero-width character/);
    assert.match(m, new RegExp(`U\\+${c.codePointAt(0)!.toString(16).toUpperCase()} at character 3`));
    assert.match(m, /expected letters, digits, spaces and punctuation you can see/);
  }
});

test('bidirectional controls are refused', () => {
  for (const c of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C']) {
    assert.match(refused(`Ann${c}Lee`), /text-direction control character \(U\+[0-9A-F]{4} at character 4\)/);
  }
});

test('other control and invisible characters are refused', () => {
  assert.match(refused('evil\u0007bell'), /control or invisible character \(U\+0007 at character 5\)/);
  assert.match(refused('a\u0085b'), /U\+0085/);
  assert.match(refused('soft\u00ADhyphen'), /U\+00AD/);
  assert.match(refused('private\uE000use'), /U\+E000/);
});

test('look-alike names share one key: case, width and ß fold together', () => {
  assert.equal(learnerNameKey('ANN'), learnerNameKey('ann'));
  assert.equal(learnerNameKey('Ａｎｎ'), learnerNameKey('ann'));
  assert.equal(learnerNameKey('STRASSE'), learnerNameKey('straße'));
  assert.notEqual(learnerNameKey('Ann'), learnerNameKey('Anne'));
});
