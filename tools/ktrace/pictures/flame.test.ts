// Flame pictures cut to the contract's limits without losing a sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flamePictureSchema } from '../../../runner/src/common/pictures.ts';
import { CUT_FRAME, MAX_FRAME_CHARS, OTHER_STACKS, cutDepth, flamePicture, trimStacks } from './flame.ts';
import { MAX_FLAME_DEPTH, MAX_FLAME_STACKS } from './limits.ts';

const total = (stacks: readonly [string, number][]) => stacks.reduce((n, [, c]) => n + c, 0);

test('small inputs are kept as they are, heaviest first', () => {
  const stacks = trimStacks(new Map([['a;b', 2], ['a;c', 5], ['b', 1]]));
  assert.deepEqual(stacks, [['a;c', 5], ['a;b', 2], ['b', 1]]);
});

test('too many stacks: the rarest go to their nearest kept ancestor or to [other stacks]', () => {
  const folded = new Map([['app;main', 10], ['app;main;work', 8], ['app;main;rare1', 1], ['app;main;x;rare2', 1], ['other;y', 1]]);
  const stacks = trimStacks(folded, 3);
  assert.equal(stacks.length, 3);
  assert.equal(total(stacks), total([...folded]));
  assert.deepEqual(new Map(stacks), new Map([['app;main', 12], ['app;main;work', 8], [OTHER_STACKS, 1]]));
});

test('at the real limit: 50 000 distinct stacks fit in MAX_FLAME_STACKS, the total unchanged', () => {
  const folded = new Map(Array.from({ length: 50_000 }, (_, i) => [`app;main;f${i % 100};g${i}`, 1 + (i % 7)] as [string, number]));
  const p = flamePicture(folded, 'Profile', 'ktrace flame --save', 1);
  assert.ok(p.stacks.length <= MAX_FLAME_STACKS);
  assert.equal(total(p.stacks), total([...folded]));
  flamePictureSchema.parse(p);
});

test('deep stacks keep the command and the leaf end; huge frame names are shortened', () => {
  const frames = Array.from({ length: 1000 }, (_, i) => `f${i}`);
  const cut = cutDepth(['cmd', ...frames].join(';')).split(';');
  assert.equal(cut.length, MAX_FLAME_DEPTH);
  assert.deepEqual(cut.slice(0, 3), ['cmd', CUT_FRAME, `f${1000 - (MAX_FLAME_DEPTH - 2)}`]);
  assert.equal(cut[cut.length - 1], 'f999');
  const deep = new Map([[['cmd', ...frames.map((f) => f + 'x'.repeat(1000))].join(';'), 4], ['', 1]]);
  const p = flamePicture(deep, '', 'c', 1);
  assert.equal(total(p.stacks), 5);
  assert.ok(p.stacks.every(([s]) => s.split(';').every((f) => f.length <= MAX_FRAME_CHARS)));
  flamePictureSchema.parse(p);
});

test('a picture too big in bytes drops its rarest stacks, not samples', () => {
  const folded = new Map(Array.from({ length: 5000 }, (_, i) => [`app;${Array.from({ length: 10 }, (_, k) => `${k}`.repeat(200)).join(';')};f${i}`, i + 1] as [string, number]));
  const stacks = trimStacks(folded, MAX_FLAME_STACKS, 1_000_000);
  assert.ok(Buffer.byteLength(JSON.stringify(stacks)) <= 1_000_000);
  assert.ok(stacks.length < 5000 && stacks.length > 100);
  assert.equal(total(stacks), total([...folded]));
  assert.equal(stacks[0]?.[1], 5000, 'heaviest kept');
});
