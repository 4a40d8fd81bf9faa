import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECK_TOOLS_DIR, protectedCommand } from './container.ts';

test('a check runs the tool set\'s timeout and a bash that reads no profile or rc file', () => {
  assert.deepEqual(protectedCommand(['bash', '-s'], 20), [
    `${CHECK_TOOLS_DIR}/bin/timeout`, '-k', '2', '20', `${CHECK_TOOLS_DIR}/bin/bash`, '--noprofile', '--norc', '-s',
  ]);
  assert.throws(() => protectedCommand(['python3', '-'], 5), /a check runs as bash, not "python3"/);
});
