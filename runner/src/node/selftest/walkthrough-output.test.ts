import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectOutput, plainLines } from './walkthrough-output.ts';

test('terminal output becomes the lines a learner reads: colours, titles and overwritten text resolved', () => {
  assert.deepEqual(plainLines('\x1b]0;title\x07\x1b[1;32mlab\x1b[0m:~# ls\r\nfile\r\n'), ['lab:~# ls', 'file', '']);
  assert.deepEqual(plainLines('progress 10%\rprogress 100%\r\ndone'), ['progress 100%', 'done']);
  assert.deepEqual(plainLines('abcdef\rXY'), ['XYcdef']);
  assert.deepEqual(plainLines('\x1b(B\x1b[?1049h\x1b[Htop - 10:00\x07'), ['top - 10:00']);
});

test('command not found fails, whoever says it', () => {
  assert.deepEqual(inspectOutput('ktrace syscalls', ['bash: ktrace: command not found'], 120).errors, ['bash: ktrace: command not found']);
  assert.deepEqual(inspectOutput('x | ausyscall 1', ['bash: ausyscall: command not found'], 120).errors.length, 1);
  assert.deepEqual(inspectOutput('sh -c foo', ['sh: 1: foo: not found'], 120).errors.length, 1);
  assert.deepEqual(inspectOutput('grep "not found" log', ['Module not found: fine'], 120), { errors: [], notes: [] });
});

test('No such file or directory fails when the path is one the command names, and is a note otherwise', () => {
  const header = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
  assert.equal(inspectOutput(`grep write ${header}`, [`grep: ${header}: No such file or directory`], 120).errors.length, 1);
  assert.equal(inspectOutput('insmod faulty.ko', ['insmod: ERROR: could not load module faulty.ko: No such file or directory'], 120).errors.length, 1);
  assert.equal(inspectOutput('ls /var/crash/*/', ["ls: cannot access '/var/crash/*/': No such file or directory"], 120).errors.length, 1);
  assert.equal(inspectOutput('strace -p "$(cat /run/relayd.pid)"', ['cat: /run/relayd.pid: No such file or directory'], 120).errors.length, 1);
  const other = inspectOutput('perf top', ['Failed to open /proc/kcore: No such file or directory'], 120);
  assert.deepEqual(other.errors, []);
  assert.deepEqual(other.notes, ['Failed to open /proc/kcore: No such file or directory']);
});

test('lines wider than the terminal are a note', () => {
  const r = inspectOutput('pidstat 1 1', ['x'.repeat(121), 'y'.repeat(120)], 120);
  assert.deepEqual(r.errors, []);
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0]!, /^1 output line\(s\) wider than 120 columns wrap/);
});
