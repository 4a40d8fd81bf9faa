import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeReason } from './terminal-socket.ts';

test('a close reason fits the frame in bytes and never splits a character', () => {
  const korean = '실습이 중지되었습니다. '.repeat(20);
  const cut = closeReason(korean);
  assert.ok(Buffer.byteLength(cut) <= 123, `${Buffer.byteLength(cut)} bytes`);
  assert.ok(korean.startsWith(cut), 'a prefix of the message');
  assert.ok(!cut.includes('\uFFFD'), 'no broken character');
  assert.equal(closeReason('the lab was stopped'), 'the lab was stopped');
  assert.equal(Buffer.byteLength(closeReason('a'.repeat(300))), 123);
});
