import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAILED_JOIN_WINDOW_MS, JoinLimiter, MAX_FAILED_JOINS } from './join-limiter.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

test('a key is blocked after its failed joins fill a window, until the window ends', () => {
  const c = clock();
  const limiter = new JoinLimiter(c.now);
  for (let i = 0; i < MAX_FAILED_JOINS; i++) { assert.equal(limiter.blockedFor('10.0.0.1'), 0, `failure ${i}`); limiter.fail('10.0.0.1'); }
  assert.equal(limiter.blockedFor('10.0.0.1'), FAILED_JOIN_WINDOW_MS);
  c.advance(FAILED_JOIN_WINDOW_MS / 2);
  assert.equal(limiter.blockedFor('10.0.0.1'), FAILED_JOIN_WINDOW_MS / 2);
  c.advance(FAILED_JOIN_WINDOW_MS / 2);
  assert.equal(limiter.blockedFor('10.0.0.1'), 0, 'a new window');
  limiter.fail('10.0.0.1');
  assert.equal(limiter.blockedFor('10.0.0.1'), 0, 'counting starts again');
});

test('one key over its limit blocks no other key', () => {
  const c = clock();
  const limiter = new JoinLimiter(c.now);
  for (let i = 0; i < MAX_FAILED_JOINS * 3; i++) limiter.fail('10.0.0.1');
  assert.ok(limiter.blockedFor('10.0.0.1') > 0);
  assert.equal(limiter.blockedFor('10.0.0.2'), 0, 'another address');
  assert.equal(limiter.blockedFor('10.0.0.1 w-aaaaaaaaaaaa'), 0, 'the same address on a workshop is its own key');
});

test('memory is bounded: ended windows are dropped, and past the cap the oldest key is forgotten', () => {
  const c = clock();
  const limiter = new JoinLimiter(c.now, 3);
  for (const k of ['a', 'b', 'c']) limiter.fail(k);
  assert.equal(limiter.size, 3);
  c.advance(FAILED_JOIN_WINDOW_MS);
  limiter.fail('d');
  assert.equal(limiter.size, 1, 'the ended windows went when a new key came');
  for (let i = 0; i < MAX_FAILED_JOINS; i++) limiter.fail('d');
  c.advance(1);
  limiter.fail('e');
  c.advance(1);
  limiter.fail('f');
  limiter.fail('g');
  assert.equal(limiter.size, 3, 'never more than the cap');
  assert.equal(limiter.blockedFor('d'), 0, 'the oldest window (d) was forgotten to make room');
  for (let i = 0; i < 10_000; i++) limiter.fail(`x${i}`);
  assert.equal(limiter.size, 3);
});

test('blockedFor on an unknown key remembers nothing', () => {
  const limiter = new JoinLimiter(clock().now, 2);
  for (let i = 0; i < 100; i++) assert.equal(limiter.blockedFor(`k${i}`), 0);
  assert.equal(limiter.size, 0);
});
