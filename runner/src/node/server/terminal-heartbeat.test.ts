import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heartbeat, type HeartbeatPeer } from './terminal-heartbeat.ts';

class FakePeer implements HeartbeatPeer {
  pings = 0;
  terminated = false;
  isPaused = false;
  /** A live peer answers each ping (ws does it by itself); a dead one never does. */
  constructor(private readonly onPing: (() => void) | null) {}
  ping(): void { this.pings++; this.onPing?.(); }
  terminate(): void { this.terminated = true; }
}

test('a viewer that stops answering pings is dropped within two intervals; a live one stays', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const hb = new Heartbeat(1000);
  let liveHandle: { alive(): void } | null = null;
  const live = new FakePeer(() => liveHandle?.alive());
  liveHandle = hb.track(live);
  const dead = new FakePeer(null);
  hb.track(dead);
  t.mock.timers.tick(1000);
  assert.equal(dead.pings, 1);
  assert.equal(dead.terminated, false, 'one missed answer is not yet dead');
  t.mock.timers.tick(1000);
  assert.equal(dead.terminated, true);
  assert.equal(live.terminated, false);
  assert.equal(live.pings, 2);
  assert.equal(hb.size, 1);
  hb.close();
});

test('a viewer we stopped reading is not judged by its pongs meanwhile', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const hb = new Heartbeat(1000);
  const paused = new FakePeer(null);
  paused.isPaused = true;
  hb.track(paused);
  t.mock.timers.tick(5000);
  assert.equal(paused.terminated, false);
  assert.equal(paused.pings, 0);
  // Read again, and still silent: dropped like any other.
  paused.isPaused = false;
  t.mock.timers.tick(2000);
  assert.equal(paused.terminated, true);
  hb.close();
});

test('the timer runs only while someone is tracked', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const hb = new Heartbeat(1000);
  const h = hb.track(new FakePeer(null));
  h.untrack();
  h.alive(); // after untrack: ignored
  assert.equal(hb.size, 0);
  t.mock.timers.tick(5000);
  hb.close();
});
