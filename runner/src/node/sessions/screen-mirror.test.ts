import { test } from 'node:test';
import assert from 'node:assert/strict';
import headless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import { ScreenMirror } from './screen-mirror.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const snap = (m: ScreenMirror): Promise<string> => new Promise((res) => m.snapshot(res));

/** Replays a snapshot into a fresh terminal and returns its visible lines. */
async function replay(screen: string, cols = 40, rows = 6): Promise<string[]> {
  const t = new headless.Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((res) => t.write(screen, res));
  const lines: string[] = [];
  const buf = t.buffer.active;
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  t.dispose();
  return lines.filter((l) => l !== '');
}

test('a snapshot replays to the same text, colours included', async () => {
  const m = new ScreenMirror({ cols: 40, rows: 6 });
  m.write(enc('root@lab:~# echo hi\r\nhi\r\n\x1b[31mred\x1b[0m text\r\nroot@lab:~# '));
  const screen = await snap(m);
  assert.ok(screen.includes('\x1b[31m'), 'the colour is kept');
  assert.deepEqual(await replay(screen), ['root@lab:~# echo hi', 'hi', 'red text', 'root@lab:~# ']);
  m.dispose();
});

test('the snapshot callback runs after earlier output and before later output', async () => {
  const m = new ScreenMirror({ cols: 40, rows: 6 });
  m.write(enc('before\r\n'));
  const screen = snap(m);
  m.write(enc('after\r\n'));
  const lines = await replay(await screen);
  assert.deepEqual(lines, ['before']);
  m.dispose();
});

test('clear() resets the screen in order with output; dispose is idempotent', async () => {
  const m = new ScreenMirror({ cols: 40, rows: 6 });
  m.write(enc('old shell\r\n'));
  m.clear();
  m.write(enc('new shell\r\n'));
  assert.deepEqual(await replay(await snap(m)), ['new shell']);
  m.dispose();
  m.dispose();
  assert.equal(await snap(m), '');
});

test('viewers asking together share one serialisation, reused until the screen changes', async (t) => {
  const serialize = t.mock.method(serializeAddon.SerializeAddon.prototype, 'serialize');
  const m = new ScreenMirror({ cols: 40, rows: 6 });
  m.write(enc('a big screen\r\n'));
  // An attach storm: every viewer asks in the same tick.
  const screens = await Promise.all(Array.from({ length: 200 }, () => snap(m)));
  assert.equal(serialize.mock.callCount(), 1);
  assert.ok(screens.every((s) => s === screens[0]));
  // Nothing changed since: the next viewer gets the same screen without a new serialisation.
  assert.equal(await snap(m), screens[0]);
  assert.equal(serialize.mock.callCount(), 1);
  // New output, a resize and a clear each make the copy stale.
  m.write(enc('more\r\n'));
  assert.deepEqual(await replay(await snap(m)), ['a big screen', 'more']);
  assert.equal(serialize.mock.callCount(), 2);
  m.resize({ cols: 30, rows: 6 });
  await snap(m);
  assert.equal(serialize.mock.callCount(), 3);
  m.clear();
  assert.deepEqual(await replay(await snap(m)), []);
  assert.equal(serialize.mock.callCount(), 4);
  m.dispose();
});

test('a snapshot is delivered later, never inside the call (the caller greets its viewer first)', async () => {
  const m = new ScreenMirror({ cols: 40, rows: 6 });
  await snap(m); // cached now
  let delivered = false;
  m.snapshot(() => { delivered = true; });
  assert.equal(delivered, false);
  await Promise.resolve();
  assert.equal(delivered, true);
  m.dispose();
});

test('resizing to the same size does not reflow the copy', (t) => {
  const resize = t.mock.method(headless.Terminal.prototype, 'resize');
  const m = new ScreenMirror({ cols: 40, rows: 6 });
  m.resize({ cols: 40, rows: 6 });
  assert.equal(resize.mock.callCount(), 0);
  m.resize({ cols: 41, rows: 6 });
  m.resize({ cols: 41, rows: 6 });
  assert.equal(resize.mock.callCount(), 1);
  m.dispose();
});
