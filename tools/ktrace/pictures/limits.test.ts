import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as contract from '../../../runner/src/common/pictures.ts';
import * as limits from './limits.ts';

test('the limits ktrace bundles are the contract\'s', () => {
  for (const name of ['PICTURE_SPOOL_DIR', 'MAX_SPOOL_PICTURES', 'MAX_PICTURE_BYTES', 'MAX_FLAME_STACKS', 'MAX_FLAME_DEPTH', 'MAX_CHART_ROWS', 'MAX_CHARTS', 'PICTURE_OSC'] as const) {
    assert.equal(limits[name], contract[name], name);
  }
  assert.equal(limits.PICTURE_NAME_PATTERN.source, contract.PICTURE_NAME_PATTERN.source);
  // The label/command/stack lengths the schemas enforce.
  const long = 'x'.repeat(limits.MAX_LABEL_CHARS);
  const base = { createdAt: 1, command: 'c'.repeat(limits.MAX_COMMAND_CHARS) };
  assert.ok(contract.pictureSchema.safeParse({ kind: 'flame', title: long, ...base, stacks: [['s'.repeat(limits.MAX_STACK_CHARS), 1]] }).success);
  assert.ok(!contract.pictureSchema.safeParse({ kind: 'flame', title: long + 'x', ...base, stacks: [] }).success);
  assert.ok(!contract.pictureSchema.safeParse({ kind: 'flame', title: 't', ...base, command: base.command + 'c', stacks: [] }).success);
  assert.ok(!contract.pictureSchema.safeParse({ kind: 'flame', title: 't', ...base, stacks: [['s'.repeat(limits.MAX_STACK_CHARS + 1), 1]] }).success);
});
