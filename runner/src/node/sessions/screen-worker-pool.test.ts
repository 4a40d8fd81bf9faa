import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import headless from '@xterm/headless';
import { ScreenWorkerPool } from './screen-worker-pool.ts';
import type { ScreenCopy } from './screen-mirror.ts';

const pool = new ScreenWorkerPool();
after(() => pool.close());

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const snap = (m: ScreenCopy): Promise<string> => new Promise((res) => m.snapshot(res));

async function replay(screen: string): Promise<string[]> {
  const t = new headless.Terminal({ cols: 40, rows: 6, allowProposedApi: true });
  await new Promise<void>((res) => t.write(screen, res));
  const lines: string[] = [];
  for (let i = 0; i < t.buffer.active.length; i++) lines.push(t.buffer.active.getLine(i)?.translateToString(true) ?? '');
  t.dispose();
  return lines.filter((l) => l !== '');
}

test('a screen kept in the worker replays what was written, in order with later output', async () => {
  const s = pool.create({ cols: 40, rows: 6 });
  s.write(enc('before\r\n'));
  const screen = snap(s);
  s.write(enc('after\r\n'));
  assert.deepEqual(await replay(await screen), ['before']);
  assert.deepEqual(await replay(await snap(s)), ['before', 'after']);
  s.clear();
  assert.deepEqual(await replay(await snap(s)), []);
  s.dispose();
  assert.equal(await snap(s), '');
});

test('an attach storm asks the worker once per screen state', async (t) => {
  const ask = t.mock.method(pool, 'snapshot');
  const s = pool.create({ cols: 40, rows: 6 });
  s.write(enc('a big screen\r\n'));
  const screens = await Promise.all(Array.from({ length: 200 }, () => snap(s)));
  assert.equal(ask.mock.callCount(), 1);
  assert.ok(screens.every((x) => x === screens[0]));
  await snap(s);
  assert.equal(ask.mock.callCount(), 1, 'unchanged: the shared screen is reused');
  s.resize({ cols: 30, rows: 6 });
  s.resize({ cols: 30, rows: 6 });
  await snap(s);
  assert.equal(ask.mock.callCount(), 2);
  s.dispose();
});

test('screens of different sessions are kept apart', async () => {
  const a = pool.create({ cols: 40, rows: 6 }), b = pool.create({ cols: 40, rows: 6 });
  a.write(enc('lab a\r\n'));
  b.write(enc('lab b\r\n'));
  assert.deepEqual(await replay(await snap(a)), ['lab a']);
  assert.deepEqual(await replay(await snap(b)), ['lab b']);
  a.dispose();
  b.dispose();
});

test('if the worker goes away, waiting viewers get a blank screen, and new screens get a new worker', async () => {
  const own = new ScreenWorkerPool();
  const s = own.create({ cols: 40, rows: 6 });
  s.write(enc('x\r\n'));
  const waiting = snap(s);
  await own.close();
  assert.equal(await waiting, '');
  assert.equal(await snap(s), '', 'a screen of the gone worker stays blank');
  const fresh = own.create({ cols: 40, rows: 6 });
  fresh.write(enc('again\r\n'));
  assert.deepEqual(await replay(await snap(fresh)), ['again']);
  await own.close();
});
