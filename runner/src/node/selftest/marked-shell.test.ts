import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { TerminalClient } from '../cli/terminal-client.ts';
import { MarkedShell } from './marked-shell.ts';

/**
 * A terminal with a scripted bash behind it: the marker set-up line is answered the
 * way bash's PROMPT_COMMAND and PS2 would, other lines by `reply`.
 */
function fakeTerminal(reply: (line: string, out: (text: string) => void, rc: (status: number) => void, more: () => void) => void) {
  let listener: (chunk: Buffer) => void = () => {};
  let nonce = '';
  const typed: string[] = [];
  const out = (text: string): void => listener(Buffer.from(text));
  let close!: (c: { code: number; reason: string }) => void;
  const client = {
    closed: new Promise<{ code: number; reason: string }>((r) => { close = r; }),
    onOutput: (l: (chunk: Buffer) => void) => { listener = l; return () => {}; },
    input: (data: string) => {
      typed.push(data);
      const line = data.replace(/\r$/, '');
      out(`${line}\r\n`); // the echo
      const setup = /__KD""_RC_([0-9a-f]+)_%d__/.exec(line);
      if (setup) { nonce = setup[1]!; out('42 104\r\n'); out(`\r\n__KD_RC_${nonce}_0__\r\nlab:~# `); return; }
      reply(line, out, (s) => out(`\r\n__KD_RC_${nonce}_${s}__\r\nlab:~# `), () => out(`__KD_MORE_${nonce}__> `));
    },
  } as unknown as TerminalClient;
  return { client, typed, close };
}

test('markers: set-up reports the size; a line ends with its status, asks for more, or shows a panic', async () => {
  const { client, typed } = fakeTerminal((line, out, rc, more) => {
    if (line === 'for i in 1 2; do') return more();
    if (line === 'false') return rc(1);
    if (line === 'crash') return out('[  9.1] Kernel panic - not syncing: Fatal exception\r\n');
    out('hello\r\n');
    rc(0);
  });
  const shell = new MarkedShell(client);
  assert.equal(await shell.install(1000), '42 104');
  assert.ok(typed[0]!.startsWith('\x15 PROMPT_COMMAND='), 'Ctrl-U, then the markers');
  assert.deepEqual(await shell.typeLine('echo hello', 1000, false), { kind: 'done', status: 0, output: 'echo hello\r\nhello\r\n\r' });
  assert.deepEqual(await shell.typeLine('for i in 1 2; do', 1000, false), { kind: 'more' });
  assert.equal((await shell.typeLine('false', 1000, false)).kind, 'done');
  const panic = await shell.typeLine('crash', 1000, true);
  assert.equal(panic.kind, 'panic');
});

test('a line that never gives the prompt back times out; the keys sent then end it', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { client } = fakeTerminal((line, out, rc) => {
      if (line === '\x03') { out('^C\r\n'); rc(130); }
      // `top` prints and waits for a key
      else out('top - 10:00:00 up 1 min\r\n');
    });
    const shell = new MarkedShell(client);
    const installed = shell.install(1000);
    assert.equal(await installed, '42 104');
    const from = shell.position;
    const waiting = shell.typeLine('top', 3000, false);
    mock.timers.tick(3000);
    const end = await waiting;
    assert.equal(end.kind, 'timeout');
    assert.deepEqual(await shell.sendAndWait('\x03', from, 1000), { kind: 'done', status: 130, output: 'top\r\ntop - 10:00:00 up 1 min\r\n\x03\r\n^C\r\n\r' });
  } finally {
    mock.timers.reset();
  }
});

test('a terminal the runner closes (the lab failed) ends the waits at once, saying why', async () => {
  const { client, close } = fakeTerminal(() => { /* a VM whose reboot stalled: nothing answers */ });
  const shell = new MarkedShell(client);
  assert.equal(await shell.install(1000), '42 104');
  const waiting = shell.typeLine('echo after the panic', 3_600_000, true);
  close({ code: 4001, reason: 'session is failed' });
  assert.equal((await waiting).kind, 'timeout');
  assert.match(shell.closedBy ?? '', /4001: session is failed/);
  assert.equal(await shell.install(3_600_000), null, 'no probing a closed terminal for an hour');
});
