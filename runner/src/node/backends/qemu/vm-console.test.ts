import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRing, crashDmesg, crashStamp, LineSplitter, replayTail, stripAnsi, BOOT_FAILURE_PATTERNS } from './vm-console.ts';

test('crash record: kernel lines only, even after a prompt without a newline', () => {
  const console = Buffer.from([
    'half a line from before the tail',
    '\x1b[1;35mvm\x1b[0m:~# ./faulty-load',
    'batch 1/4: 200 records queued',
    'vm:~# [   36.819177] BUG: kernel NULL pointer dereference, address: 0000000000000004',
    '[   36.820430] RIP: 0010:faulty_submit+0x11/0x50 [faulty]\r',
    '[   36.828974] Kernel panic - not syncing: Fatal exception',
  ].join('\r\n'));
  assert.equal(crashDmesg(console), [
    '[   36.819177] BUG: kernel NULL pointer dereference, address: 0000000000000004',
    '[   36.820430] RIP: 0010:faulty_submit+0x11/0x50 [faulty]',
    '[   36.828974] Kernel panic - not syncing: Fatal exception',
  ].join('\n') + '\n');
});

test('crash stamps are kdump-style minutes (UTC)', () => {
  assert.equal(crashStamp(new Date(Date.UTC(2024, 4, 14, 10, 32, 59))), '202405141032');
});

test('the console ring keeps the tail; a replay starts at a line boundary', () => {
  const ring = new ByteRing(16);
  for (const s of ['aaaa\n', 'bbbb\n', 'cccc\n', 'dddd\n', 'eeee\n']) ring.push(Buffer.from(s));
  assert.equal(ring.tail(12).toString(), 'cc\ndddd\neeee\n'.slice(-12));
  assert.equal(replayTail(ring, 12).toString(), 'dddd\neeee\n');
});

test('lines are split across chunks with escapes stripped; the prompt is the current line', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  s.push(Buffer.from('lab login: root (auto'));
  s.push(Buffer.from('matic login)\r\n\x1b[1;35mvm\x1b[0m:~# '));
  assert.deepEqual(lines, ['lab login: root (automatic login)']);
  assert.equal(s.current, 'vm:~# ');
  assert.equal(stripAnsi('\x1b[0;32m  OK  \x1b[0m] Started'), '  OK  ] Started');
});

test('boot failures are recognised, a panic trailer is not a new panic', () => {
  const hit = (l: string): boolean => BOOT_FAILURE_PATTERNS.some((p) => p.test(l));
  assert.ok(hit('Gave up waiting for root file system device.  Common problems:'));
  assert.ok(hit('[    2.1] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)'));
  assert.ok(!hit('[   36.9] ---[ end Kernel panic - not syncing: Fatal exception ]---'));
});

test('console lines are UTF-8 even when a character is split across chunks; reverse-index escapes are dropped', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  const text = Buffer.from('[  OK  ] Finished kmod-static-nodes.service \u2026reate List\r\n\x1bM[ ***  ] Job opt-lab.mount/start running\r\n');
  const cut = text.indexOf(0xe2) + 1; // inside the three bytes of "…"
  s.push(text.subarray(0, cut));
  s.push(text.subarray(cut));
  assert.deepEqual(lines, ['[  OK  ] Finished kmod-static-nodes.service \u2026reate List', '[ ***  ] Job opt-lab.mount/start running']);
});
