// --lab: which processes of a fake /proc are recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labPids, parseStat, readProc, type ProcEntry } from './lab.ts';
import { isPerfData, readHead } from './perfdata.ts';

test('the lab: its programs and shells, not kernel threads, zombies, ktrace or perf', () => {
  const procs: ProcEntry[] = [
    { pid: 1, ppid: 0, comm: 'tini', hasExe: true },
    { pid: 2, ppid: 0, comm: 'kthreadd', hasExe: false },
    { pid: 9, ppid: 2, comm: 'kworker/0:1', hasExe: false },
    { pid: 17, ppid: 1, comm: 'ingestd', hasExe: true },
    { pid: 30, ppid: 1, comm: 'bash', hasExe: true },
    { pid: 31, ppid: 30, comm: 'node', hasExe: true }, // ktrace itself
    { pid: 32, ppid: 30, comm: 'perf', hasExe: true },
    { pid: 33, ppid: 17, comm: 'defunct', hasExe: false },
  ];
  assert.deepEqual(labPids(procs, 31), [1, 17, 30]);
  assert.deepEqual(labPids([{ pid: 31, ppid: 1, comm: 'node', hasExe: true }], 31), []);
});

test('/proc/PID/stat: a comm with spaces and parentheses', () => {
  assert.deepEqual(parseStat('123 (my (odd) prog) S 45 123 123 0 -1'), { comm: 'my (odd) prog', ppid: 45 });
  assert.equal(parseStat('garbage'), null);
});

test('readProc over a fake /proc', (t) => {
  const proc = mkdtempSync(join(tmpdir(), 'ktrace-proc-'));
  t.after(() => rmSync(proc, { recursive: true, force: true }));
  const add = (pid: number, stat: string, exe: boolean) => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'stat'), stat);
    if (exe) symlinkSync('/bin/sh', join(proc, String(pid), 'exe'));
  };
  add(1, '1 (sh) S 0 1 1', true);
  add(2, '2 (kthreadd) S 0 0 0', false);
  mkdirSync(join(proc, 'self'));
  mkdirSync(join(proc, '77')); // exited while listed: no stat
  const entries = readProc(proc).sort((a, b) => a.pid - b.pid);
  assert.deepEqual(entries, [{ pid: 1, ppid: 0, comm: 'sh', hasExe: true }, { pid: 2, ppid: 0, comm: 'kthreadd', hasExe: false }]);
  assert.deepEqual(labPids(entries, 999), [1]);
});

test('perf.data is known by its magic; perf script text and short files are not', (t) => {
  assert.equal(isPerfData(Buffer.from('PERFILE2\x68\x00\x00')), true);
  assert.equal(isPerfData(Buffer.from('2ELIFREP')), true);
  assert.equal(isPerfData(Buffer.from('ingestd 17 [000] 1.0: cycles:')), false);
  assert.equal(isPerfData(Buffer.from('PERF')), false);
  const dir = mkdtempSync(join(tmpdir(), 'ktrace-perfdata-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'perf.data'), Buffer.concat([Buffer.from('PERFILE2'), Buffer.alloc(100)]));
  writeFileSync(join(dir, 'short'), 'PE');
  assert.equal(isPerfData(readHead(join(dir, 'perf.data'))), true);
  assert.deepEqual(readHead(join(dir, 'short')), Buffer.from('PE'));
});
