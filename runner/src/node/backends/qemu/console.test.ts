import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleShell, type ConsoleHost } from './console.ts';

function fakeHost(accepts: () => boolean) {
  const written: string[] = [];
  const host: ConsoleHost & { closed: number } = {
    closed: 0,
    writeConsole: (d) => { written.push(d.toString()); return accepts(); },
    setTermSize: async () => {},
    closeConsole: () => { host.closed++; },
  };
  return { host, written };
}

test('a console replays the recent output first, then live output; a paused one keeps a bounded backlog', async () => {
  const { host } = fakeHost(() => true);
  const shell = new ConsoleShell(host, Buffer.from('vm:~# '), 8);
  const seen: string[] = [];
  shell.onData((c) => seen.push(c.toString()));
  await Promise.resolve();
  shell.deliver(Buffer.from('ls\r\n'));
  assert.deepEqual(seen, ['vm:~# ', 'ls\r\n']);
  shell.pause();
  for (const s of ['aaaa', 'bbbb', 'cccc']) shell.deliver(Buffer.from(s));
  assert.equal(seen.length, 2);
  shell.resume();
  assert.deepEqual(seen.slice(2), ['bbbb', 'cccc'], 'the oldest held output went past the bound');
});

test('input backpressure comes from the VM; drain listeners run when it took the input; the end is reported once', () => {
  let room = false;
  const { host, written } = fakeHost(() => room);
  const shell = new ConsoleShell(host, Buffer.alloc(0));
  let drains = 0;
  let exits = 0;
  shell.onDrain(() => drains++);
  shell.onExit(() => exits++);
  assert.equal(shell.write('x'.repeat(10)), false);
  room = true;
  shell.drained();
  assert.equal(drains, 1);
  assert.equal(shell.write('y'), true);
  assert.deepEqual(written, ['x'.repeat(10), 'y']);
  shell.ended();
  shell.ended();
  assert.equal(exits, 1);
  assert.equal(host.closed, 1);
  assert.equal(shell.write('z'), true, 'a closed console swallows input');
  assert.equal(written.length, 2);
});
