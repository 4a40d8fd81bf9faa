import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { FOREGROUND_SCRIPT, foregroundProgram, parseProcStat, queryForeground, type ProcStat } from './foreground.ts';

// Real /proc/<pid>/stat lines: pid (comm) state ppid pgrp session tty_nr tpgid …
const SHELL_AT_PROMPT = '41 (bash) S 0 41 41 34816 41 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 4000000 900 18446744073709551615';
const SHELL_RUNNING_TOP = '41 (bash) S 0 41 41 34816 77 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 4000000 900 18446744073709551615';
const TOP = '77 (top) S 41 77 41 34816 77 4194304 1 0 0 0 0 0 0 0 20 0 1 0 200 4000000 900 18446744073709551615';

const parse = (lines: string[]): ProcStat[] => lines.map((l) => parseProcStat(l)!);

test('parses a stat line, names with spaces and parentheses included', () => {
  assert.deepEqual(parseProcStat(TOP), { pid: 77, comm: 'top', ppid: 41, pgrp: 77, session: 41, ttyNr: 34816, tpgid: 77 });
  assert.equal(parseProcStat('12 (VM Thread) S 1 12 12 0 -1 1')?.comm, 'VM Thread');
  assert.equal(parseProcStat('13 (a) b)) S 1 13 13 0 -1 1')?.comm, 'a) b)');
  assert.equal(parseProcStat(''), null);
  assert.equal(parseProcStat('garbage'), null);
  assert.equal(parseProcStat('1 (x) S 1 2'), null, 'too few fields');
});

test('a shell at its prompt has nothing in the foreground', () => {
  assert.equal(foregroundProgram(parse([SHELL_AT_PROMPT])), null);
  assert.equal(foregroundProgram([]), null);
});

test('top in the foreground is named', () => {
  assert.deepEqual(foregroundProgram(parse([SHELL_RUNNING_TOP, TOP])), { pid: 77, name: 'top' });
});

test('a nested shell at its prompt is a prompt; a script\'s shell names what it runs', () => {
  const nested = '90 (bash) S 41 90 41 34816 90 0';
  assert.equal(foregroundProgram(parse(['41 (bash) S 0 41 41 34816 90 0', nested])), null);
  const script = ['41 (bash) S 0 41 41 34816 90 0', '90 (bash) S 41 90 41 34816 90 0', '95 (sleep) S 90 90 41 34816 90 0'];
  assert.deepEqual(foregroundProgram(parse(script)), { pid: 95, name: 'sleep' });
});

test('a pipeline is named by its group leader; a group that just ended is ignored', () => {
  const pipe = ['41 (bash) S 0 41 41 34816 80 0', '80 (strace) S 41 80 41 34816 80 0', '81 (head) S 41 80 41 34816 80 0'];
  assert.deepEqual(foregroundProgram(parse(pipe)), { pid: 80, name: 'strace' });
  assert.equal(foregroundProgram(parse(['41 (bash) S 0 41 41 34816 80 0'])), null);
});

test('a getty on another console (alone in its group) is not a program running', () => {
  const getty = '300 (agetty) S 1 300 300 1025 300 0';
  assert.equal(foregroundProgram(parse([getty, SHELL_AT_PROMPT])), null);
});

test('the script prints terminal processes only, and parses back (run here, on this machine\'s /proc)', async () => {
  const out = execFileSync('bash', ['-s'], { input: FOREGROUND_SCRIPT, encoding: 'utf8' });
  for (const line of out.split('\n').filter(Boolean)) {
    const p = parseProcStat(line);
    assert.ok(p, `parses: ${line}`);
    assert.notEqual(p.ttyNr, 0);
  }
  const r = await queryForeground({ execScript: async () => ({ ok: true, value: { exitCode: 0, stdout: `${SHELL_RUNNING_TOP}\n${TOP}\n`, stderr: '', timedOut: false, durationMs: 5 } }) });
  assert.deepEqual(r, { ok: true, program: { pid: 77, name: 'top' } });
  const down = await queryForeground({ execScript: async () => ({ ok: false, error: { code: 'gone', message: 'the lab is not running' } }) });
  assert.deepEqual(down, { ok: false, message: 'the lab is not running' });
});
