// Every check speaks the learner's language: what a check script (and the helper
// library VM checks source) prints for the learner goes through `say EN KO`
// (sessions/check-prelude.ts), with Korean in the second text. Read statically,
// so a new check that echoes English only fails here, naming file and line,
// before any lab starts; the self-test then runs each check in Korean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { LABS_DIR, REPO_ROOT, VM_IMAGES_DIR } from '../util/paths.ts';
import { shellCommands } from './shell-words.ts';

const HANGUL = /[\uAC00-\uD7A3]/;
/** Words that open a command without being it. */
const KEYWORDS = new Set(['then', 'else', 'elif', 'do', 'if', 'while', 'until', '{', '}', '!', 'time']);
/** Where printing reaches the learner rather than a file. */
const TO_LEARNER = new Set(['&2', '&1', '/dev/stderr', '/dev/stdout']);

function scripts(): string[] {
  const files: string[] = [];
  for (const lab of readdirSync(LABS_DIR)) {
    const dir = join(LABS_DIR, lab, 'checks');
    if (existsSync(dir)) files.push(...readdirSync(dir).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f)));
    const measure = join(LABS_DIR, lab, 'image', 'measure.sh');
    if (existsSync(measure)) files.push(measure);
  }
  files.push(join(VM_IMAGES_DIR, 'vm', 'files', 'usr', 'local', 'lib', 'kdlabs', 'module-lab.sh'));
  return files;
}

/** What is wrong with the printing in `text`: English-only echoes to the learner, says without Korean. */
function printingProblems(text: string, where: (line: number) => string, sayOnly = false): string[] {
  const problems: string[] = [];
  for (const cmd of shellCommands(text)) {
    for (const inner of cmd.substitutions) problems.push(...printingProblems(inner, where, true));
    const words = cmd.words.slice(cmd.words.findIndex((w) => !KEYWORDS.has(w.raw)));
    const [name, ...args] = words;
    if (!name) continue;
    if (name.raw === 'say' && cmd.endedBy === '(') continue; // say's own definition (a fallback for use outside the runner)
    if (name.raw === 'say') {
      if (args.length < 2) problems.push(`${where(name.line)}: say with one text; the second is the Korean`);
      else if (!HANGUL.test(args[1]!.literal)) problems.push(`${where(name.line)}: say's second text is not Korean: ${args[1]!.raw.slice(0, 60)}`);
      continue;
    }
    if (sayOnly || (name.raw !== 'echo' && name.raw !== 'printf')) continue;
    // Piped into a command or written to a file: computation, not a message. A kdlabs-record line is for the runner.
    if (cmd.endedBy === '|' || cmd.redirects.some((r) => !TO_LEARNER.has(r))) continue;
    if (args[0]?.literal.startsWith('kdlabs-record ')) continue;
    const printed = args.filter((w, k) => !(k === 0 && name.raw === 'printf' && /%/.test(w.literal)) && !/^-[a-zA-Z]+$/.test(w.raw));
    if (printed.some((w) => /[A-Za-z]{2,}/.test(w.literal))) {
      problems.push(`${where(name.line)}: ${name.raw} prints English only; use say "English" "Korean": ${printed.map((w) => w.raw).join(' ').slice(0, 80)}`);
    }
  }
  return problems;
}

test('what a check prints for the learner goes through say, with Korean beside the English', () => {
  const problems = scripts().flatMap((file) => printingProblems(readFileSync(file, 'utf8'), (line) => `${relative(REPO_ROOT, file)}:${line}`));
  assert.deepEqual(problems, []);
});

test('the reading of scripts catches what it should', () => {
  const found = (script: string): string[] => printingProblems(script, (l) => `line ${l}`);
  assert.equal(found('echo "relayd is not running"; exit 1\n').length, 1, 'an English echo');
  assert.equal(found('[ -n "$x" ] || { echo "no $x here" >&2; exit 1; }\n').length, 1, 'to stderr is to the learner');
  assert.equal(found('if true; then\n  say "only English"\nfi\n').length, 1, 'a say without its Korean');
  assert.equal(found('s=$(say "a $(b "c")" "d")\n').length, 1, 'a say inside $( ) with English twice');
  assert.deepEqual(found('say "a $(tail -n 1 "$f" | tr \'\\n\' \' \') b" "가 $(x) 나"; exit 1\n'), [], 'nested quotes in a say');
  assert.deepEqual(found('echo "$summary"; exit 1\necho "x = 1" > "$dir/conf"\nawk \'BEGIN { printf "%d calls", n }\'\nprintf \'%s\\n\' "$v"\necho "words" | wc -c\n'), [], 'variables, files, awk, pipes');
  assert.deepEqual(found('python3 - <<\'PY\'\nprint("hello there")\nPY\necho "$x"\n'), [], 'a here-document is data');
});

test('every check script parses', () => {
  const broken = scripts().filter((f) => spawnSync('bash', ['-n', f]).status !== 0);
  assert.deepEqual(broken, []);
});
