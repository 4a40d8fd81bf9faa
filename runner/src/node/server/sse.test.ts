import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { openEventStream, SSE_HEARTBEAT_MS, SSE_MAX_BUFFERED_BYTES, SSE_MAX_STALLED_HEARTBEATS, type SseResponse } from './sse.ts';

/** A response whose socket is "behind" while `behind` is set, as a client that stopped reading. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  behind = false;
  queued = 0;
  destroyed = false;
  ended = false;
  get writableNeedDrain(): boolean { return this.behind; }
  get writableLength(): number { return this.queued; }
  writeHead(): this { return this; }
  write(text: string): boolean {
    this.written.push(text);
    this.queued += text.length;
    return !this.behind;
  }
  end(): this { this.ended = true; return this; }
  destroy(): this { this.destroyed = true; this.emit('close'); return this; }
  catchUp(): void { this.behind = false; this.queued = 0; this.emit('drain'); }
  events(): string[] { return this.written.filter((t) => t.startsWith('event:')); }
}

function open() {
  const req = new EventEmitter();
  const res = new FakeResponse();
  const stream = openEventStream(req as unknown as Parameters<typeof openEventStream>[0], res as unknown as SseResponse);
  return { req, res, stream };
}

test('events go out as they come while the client keeps up', () => {
  const { res, stream } = open();
  stream.send('roster', { n: 1 });
  stream.send('roster', { n: 2 });
  assert.deepEqual(res.events(), ['event: roster\ndata: {"n":1}\n\n', 'event: roster\ndata: {"n":2}\n\n']);
  stream.close();
  assert.equal(res.ended, true);
});

test('while the socket is behind, only the latest snapshot per event is kept, and written on drain', () => {
  const { res, stream } = open();
  res.behind = true;
  stream.send('roster', { n: 1 });
  stream.send('roster', { n: 2 });
  stream.send('roster', { n: 3 });
  assert.deepEqual(res.events(), [], 'nothing written into a full socket');
  res.catchUp();
  assert.deepEqual(res.events(), ['event: roster\ndata: {"n":3}\n\n']);
  stream.close();
});

test('a client that stays behind is dropped after the stalled heartbeats, and the stream reports closed', async () => {
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    const { res, stream } = open();
    res.behind = true;
    let closed = false;
    void stream.closed.then(() => { closed = true; });
    mock.timers.tick(SSE_HEARTBEAT_MS * (SSE_MAX_STALLED_HEARTBEATS - 1));
    assert.equal(res.destroyed, false, 'one slow moment is forgiven');
    mock.timers.tick(SSE_HEARTBEAT_MS);
    assert.equal(res.destroyed, true);
    await stream.closed;
    assert.equal(closed, true);
    stream.send('roster', { n: 1 });
    assert.deepEqual(res.events(), [], 'nothing is written after the drop');
  } finally {
    mock.timers.reset();
  }
});

test('a stream with more than the byte bound queued is dropped at once', () => {
  const { res, stream } = open();
  res.queued = SSE_MAX_BUFFERED_BYTES - 10; // the socket is far behind but did not say so yet
  stream.send('roster', { big: 'x' });
  assert.equal(res.destroyed, true);
});

test('the client going away ends the stream and its heartbeat', async () => {
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    const { req, res, stream } = open();
    req.emit('close');
    await stream.closed;
    const before = res.written.length;
    mock.timers.tick(SSE_HEARTBEAT_MS * 3);
    assert.equal(res.written.length, before, 'no heartbeat after close');
  } finally {
    mock.timers.reset();
  }
});
