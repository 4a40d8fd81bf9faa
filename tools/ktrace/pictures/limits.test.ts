import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as contract from '../../../runner/src/common/pictures.ts';
import * as limits from './limits.ts';

test('the label, command and stack lengths ktrace keeps to are the ones the schemas enforce', () => {
  const long = 'x'.repeat(limits.MAX_LABEL_CHARS);
  const base = { createdAt: 1, command: 'c'.repeat(limits.MAX_COMMAND_CHARS) };
  assert.ok(contract.pictureSchema.safeParse({ kind: 'flame', title: long, ...base, stacks: [['s'.repeat(limits.MAX_STACK_CHARS), 1]] }).success);
  assert.ok(!contract.pictureSchema.safeParse({ kind: 'flame', title: long + 'x', ...base, stacks: [] }).success);
  assert.ok(!contract.pictureSchema.safeParse({ kind: 'flame', title: 't', ...base, command: base.command + 'c', stacks: [] }).success);
  assert.ok(!contract.pictureSchema.safeParse({ kind: 'flame', title: 't', ...base, stacks: [['s'.repeat(limits.MAX_STACK_CHARS + 1), 1]] }).success);
});
