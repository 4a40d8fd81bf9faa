// The `say` every lab script gets, run by real bash in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CHECK_PRELUDE } from './check-prelude.ts';

function run(script: string, lang: string | null): string {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(lang === null ? {} : { KDLABS_LANG: lang }) };
  const r = spawnSync('bash', ['-s'], { input: CHECK_PRELUDE + script, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('say prints the Korean for a Korean learner and the English otherwise, quoting nothing twice', () => {
  const script = 'n=3; say "relayd made $n calls (\\$HOME stays literal) 100%" "relayd가 $n번 호출했습니다 (\\$HOME) 100%"\n';
  assert.equal(run(script, 'ko'), 'relayd가 3번 호출했습니다 ($HOME) 100%\n');
  assert.equal(run(script, 'en'), 'relayd made 3 calls ($HOME stays literal) 100%\n');
  assert.equal(run(script, null), 'relayd made 3 calls ($HOME stays literal) 100%\n', 'no language: English (the CLI, the self-test symptom)');
  assert.equal(run('say "only English" >&2 2>/dev/null; say "only English"\n', 'ko'), 'only English\n', 'a say with one text prints it in every language');
  assert.equal(run('x=$(say "a -n b" "가 -e 나"); echo "[$x]"\n', 'ko'), '[가 -e 나]\n', 'dashes are text, not printf or echo options');
});
