// The spool in a temporary directory: names, atomic writes, pruning, the notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pictureSchema, type FlamePicture } from '../../../runner/src/common/pictures.ts';
import { MAX_SPOOL_PICTURES, PICTURE_NAME_PATTERN, PICTURE_SPOOL_DIR } from './limits.ts';
import { SPOOL_ENV, STALE_TMP_MS, SpoolError, listPictures, pictureName, prune, savePicture, slug, spoolDir } from './spool.ts';
import { notifyPicture, pictureOsc, type TtyWriter } from './notify.ts';
import { commandLine } from './save.ts';

function tempSpool(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ktrace-spool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'pictures'); // not there yet: savePicture makes it
}

const flame = (createdAt: number): FlamePicture => ({ kind: 'flame', title: 'Profile', createdAt, command: 'ktrace flame --lab --save', stacks: [['ingestd;main;crc', 3]] });

test('names follow the contract; the spool directory can be moved for tests', () => {
  assert.equal(pictureName('charts', 1_764_000_000_123, 'syscalls'), 'charts-1764000000123-syscalls.json');
  assert.equal(pictureName('flame', 5, 'My Run: perf.data!'), 'flame-0000000000005-my-run-perf-data.json');
  assert.equal(slug('***', 'flame'), 'flame');
  assert.equal(slug('x'.repeat(100), 'f').length, 40);
  assert.ok(PICTURE_NAME_PATTERN.test(pictureName('flame', 1_764_000_000_000, '-'.repeat(50) + 'a')));
  assert.equal(spoolDir({}), PICTURE_SPOOL_DIR);
  assert.equal(spoolDir({ [SPOOL_ENV]: '/tmp/x' }), '/tmp/x');
});

test('a saved picture is whole, valid, and no temporary file is left', (t) => {
  const dir = tempSpool(t);
  const saved = savePicture(flame(1_764_000_000_000), 'lab', dir);
  assert.equal(saved.name, 'flame-1764000000000-lab.json');
  assert.deepEqual(readdirSync(dir), [saved.name]);
  pictureSchema.parse(JSON.parse(readFileSync(saved.path, 'utf8')));
  // The same subject in the same millisecond gets the next free name, not an overwrite.
  const again = savePicture(flame(1_764_000_000_000), 'lab', dir);
  assert.equal(again.name, 'flame-1764000000001-lab.json');
});

test('the spool keeps the newest MAX_SPOOL_PICTURES and leaves other files alone', (t) => {
  const dir = tempSpool(t);
  savePicture(flame(1_000_000_000_000), 'first', dir);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  writeFileSync(join(dir, '.flame-1000000000000-x.json.9.tmp'), '{');
  for (let i = 1; i <= MAX_SPOOL_PICTURES + 4; i++) savePicture(flame(1_000_000_000_000 + i * 1000), `n${i}`, dir);
  const left = listPictures(dir);
  assert.equal(left.length, MAX_SPOOL_PICTURES);
  assert.equal(left[0], 'flame-1000000005000-n5.json', 'oldest first, the 5 oldest gone');
  assert.ok(readdirSync(dir).includes('notes.txt'));
  // A fresh temporary file may be another writer's, mid-write; an old one is a dead writer's.
  assert.ok(readdirSync(dir).includes('.flame-1000000000000-x.json.9.tmp'));
  prune(dir, MAX_SPOOL_PICTURES, Date.now() + STALE_TMP_MS + 1000);
  assert.ok(!readdirSync(dir).includes('.flame-1000000000000-x.json.9.tmp'));
  assert.deepEqual(prune(dir, 2).length, MAX_SPOOL_PICTURES - 2);
});

test('a spool that cannot be written and a picture too big are clear errors', (t) => {
  const dir = tempSpool(t);
  writeFileSync(dir, 'a file, not a directory');
  assert.throws(() => savePicture(flame(1), 'x', dir), (e: unknown) => e instanceof SpoolError && e.message.includes(dir));
  const big: FlamePicture = { ...flame(1), stacks: Array.from({ length: 200 }, (_, i) => [`s${i};${'f'.repeat(30_000)}`, 1] as [string, number]) };
  assert.throws(() => savePicture(big, 'x', join(dir + '-2')), /over the/);
  if (process.getuid?.() !== 0) {
    const ro = tempSpool(t);
    savePicture(flame(1), 'x', ro);
    chmodSync(ro, 0o555);
    assert.throws(() => savePicture(flame(2), 'x', ro), SpoolError);
  }
});

test('the terminal notice: the OSC when a terminal opens, silence when not', () => {
  assert.equal(pictureOsc('flame-1764000000000-lab.json'), '\x1b]7717;picture=flame-1764000000000-lab.json\x07');
  const written: string[] = [];
  const tty: TtyWriter = { open: () => 9, write: (_fd, s) => { written.push(s); }, close: () => {} };
  assert.equal(notifyPicture('a.json', tty), true);
  assert.deepEqual(written, ['\x1b]7717;picture=a.json\x07']);
  const none: TtyWriter = { open: () => { throw new Error('ENXIO'); }, write: () => assert.fail('no write'), close: () => {} };
  assert.equal(notifyPicture('a.json', none), false);
});

test('the command is recorded as a shell would read it back', () => {
  assert.equal(commandLine(['flame', '--lab', '--duration', '3', '--save']), 'ktrace flame --lab --duration 3 --save');
  assert.equal(commandLine(['flame', '--title', "Bob's run"]), "ktrace flame --title 'Bob'\\''s run'");
  assert.equal(commandLine(['x'.repeat(2000)]).length, 1000);
});
