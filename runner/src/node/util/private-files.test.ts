import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, tightenIfPresent } from './private-files.ts';

const modeOf = (p: string): number => statSync(p).mode & 0o777;

function inTemp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-private-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('a new folder is 0700, parents included; a looser one of ours is tightened', () => inTemp((dir) => {
  const data = join(dir, 'a', 'data');
  ensurePrivateDir(data);
  assert.equal(modeOf(data), 0o700);
  chmodSync(data, 0o755);
  ensurePrivateDir(data);
  assert.equal(modeOf(data), 0o700, 'tightened');
  chmodSync(data, 0o711);
  ensurePrivateDir(data);
  assert.equal(modeOf(data), 0o700, 'even execute-only for others');
}));

test('a file is created 0600 empty, keeps its content, and a looser one is tightened', () => inTemp((dir) => {
  const file = join(dir, 'owner-token');
  ensurePrivateFile(file);
  assert.equal(modeOf(file), 0o600);
  assert.equal(statSync(file).size, 0);
  writeFileSync(file, 'secret\n');
  chmodSync(file, 0o644);
  ensurePrivateFile(file);
  assert.equal(modeOf(file), 0o600);
  assert.equal(statSync(file).size, 7, 'content kept');
}));

test('tightenIfPresent leaves missing files alone', () => inTemp((dir) => {
  assert.doesNotThrow(() => tightenIfPresent(join(dir, 'progress.db-wal')));
  const shm = join(dir, 'progress.db-shm');
  writeFileSync(shm, '', { mode: 0o644 });
  chmodSync(shm, 0o644);
  tightenIfPresent(shm);
  assert.equal(modeOf(shm), 0o600);
}));
