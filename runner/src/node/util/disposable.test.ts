import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { DisposableStore, toDisposable } from './disposable.ts';
import { setUnexpectedErrorListener, type UnexpectedErrorListener } from './unexpected-error.ts';

let restore: UnexpectedErrorListener | null = null;
function captureUnexpected(): Array<{ error: unknown; context: string }> {
  const seen: Array<{ error: unknown; context: string }> = [];
  restore = setUnexpectedErrorListener((error, context) => seen.push({ error, context }));
  return seen;
}
afterEach(() => { if (restore) setUnexpectedErrorListener(restore); restore = null; });

test('dispose() disposes every item once, newest first, and is idempotent', () => {
  const order: string[] = [];
  const store = new DisposableStore();
  store.add(toDisposable(() => order.push('a')));
  store.add(toDisposable(() => order.push('b')));
  store.dispose();
  store.dispose();
  assert.deepEqual(order, ['b', 'a']);
  assert.equal(store.isDisposed, true);
});

test('a throwing item is reported and the others are still disposed', () => {
  const seen = captureUnexpected();
  const order: string[] = [];
  const store = new DisposableStore();
  store.add(toDisposable(() => order.push('first')));
  store.add(toDisposable(() => { throw new Error('boom'); }));
  store.add(toDisposable(() => order.push('last')));
  store.dispose();
  assert.deepEqual(order, ['last', 'first']);
  assert.equal(seen.length, 1);
  assert.match(String((seen[0]!.error as Error).message), /boom/);
});

test('an item added after dispose() is disposed at once', () => {
  const store = new DisposableStore();
  store.dispose();
  let disposed = 0;
  store.add(toDisposable(() => disposed++));
  assert.equal(disposed, 1);
});

test('delete() disposes one item now and not again with the store', () => {
  const store = new DisposableStore();
  let n = 0;
  const item = store.add(toDisposable(() => n++));
  store.delete(item);
  store.dispose();
  assert.equal(n, 1);
});

test('toDisposable runs its function at most once', () => {
  let n = 0;
  const d = toDisposable(() => n++);
  d.dispose();
  d.dispose();
  assert.equal(n, 1);
});
