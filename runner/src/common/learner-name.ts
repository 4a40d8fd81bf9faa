// Learner names as people see them on the roster. A name is compared and
// shown after NFKC normalisation, so "Ａｎｎ" (full-width) is "Ann"; characters
// that are invisible or reorder the text around them are refused, because they
// make two names look alike that are not (or one name look like another).
import type { Words } from './langs.ts';
import { MAX_LEARNER_NAME } from './workshop.ts';

function refuse(words: Words): NameVerdict {
  return { ok: false, message: words.en, words };
}

/** A refused name says why in every language (`message`: the English). */
export type NameVerdict = { ok: true; value: string } | { ok: false; message: string; words: Words };

/** Zero-width characters: invisible, so "Ann" and "An\u200Bn" would look the same on the roster. */
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/u;
/** Bidirectional controls: they reorder the text around them ("Trojan Source"), so a name can look like another. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
/** Everything else with no visible form: C0/C1 controls, other format characters, unassigned and private-use code points, surrogates. */
const OTHER_INVISIBLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;

const EXPECTED: Words = { en: 'expected letters, digits, spaces and punctuation you can see', ko: '눈에 보이는 글자, 숫자, 공백, 문장 부호만 쓸 수 있습니다' };

/** A learner's display name: NFKC, trimmed, single-spaced, visible characters only, 1..60 characters. */
export function cleanLearnerName(raw: string): NameVerdict {
  const nfkc = raw.normalize('NFKC');
  const refused = refusedCharacter(nfkc);
  if (refused) return refuse({ en: `name contains ${refused}; ${EXPECTED.en}`, ko: `이름에 쓸 수 없는 문자가 있습니다 (${refused}). ${EXPECTED.ko}` });
  const name = nfkc.trim().replace(/\s+/gu, ' ');
  if (!name) return refuse({ en: `name is empty; expected 1 to ${MAX_LEARNER_NAME} characters`, ko: `이름이 비어 있습니다. 1~${MAX_LEARNER_NAME}자여야 합니다` });
  const length = [...name].length;
  if (length > MAX_LEARNER_NAME) return refuse({ en: `name is ${length} characters; the limit is ${MAX_LEARNER_NAME}`, ko: `이름이 ${length}자입니다. 최대 ${MAX_LEARNER_NAME}자입니다` });
  return { ok: true, value: name };
}

/**
 * What two names are compared by: NFKC and full case folding (upper then lower
 * case folds "ß" with "SS"), so "ANN", "ann" and "Ａｎｎ" are one name on a roster.
 */
export function learnerNameKey(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** Names the first character a name may not hold, with where it is, or null. */
function refusedCharacter(name: string): string | null {
  const chars = [...name];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const where = `${codePoint(c)} at character ${i + 1}`;
    if (ZERO_WIDTH.test(c)) return `an invisible zero-width character (${where})`;
    if (BIDI_CONTROL.test(c)) return `a text-direction control character (${where}), which can make a name look like another`;
    // Tabs and new lines are white space, folded into single spaces below.
    if (/[\t\n\r]/u.test(c)) continue;
    if (OTHER_INVISIBLE.test(c)) return `a control or invisible character (${where})`;
  }
  return null;
}

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
