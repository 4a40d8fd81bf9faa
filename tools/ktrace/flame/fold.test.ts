import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldPerfScript, formatFolded, frameName, looksFolded, parseFolded } from './fold.ts';

// Two samples as perf 6.1 prints them with `perf script` after `perf record -g`.
export const PERF_SCRIPT = `framed 4242 12345.678901:   10101010 cpu-clock:pppH: 
	    55d1c3a01139 crc_bitwise+0x29 (/usr/local/sbin/framed)
	    55d1c3a012f0 frame_checksum+0x40 (/usr/local/sbin/framed)
	    55d1c3a01400 handle_request+0x18 (/usr/local/sbin/framed)
	    55d1c3a01500 main+0x99 (/usr/local/sbin/framed)
	    7f11d3a29d90 __libc_start_call_main+0x80 (/usr/lib/x86_64-linux-gnu/libc.so.6)

framed 4242 12345.688901:   10101010 cpu-clock:pppH: 
	    55d1c3a01139 crc_bitwise+0x30 (/usr/local/sbin/framed)
	    55d1c3a012f0 frame_checksum+0x40 (/usr/local/sbin/framed)
	    55d1c3a01400 handle_request+0x18 (/usr/local/sbin/framed)
	    55d1c3a01500 main+0x99 (/usr/local/sbin/framed)
	    7f11d3a29d90 __libc_start_call_main+0x80 (/usr/lib/x86_64-linux-gnu/libc.so.6)

my worker 77/78 [001] 12345.698901:     250000 cycles: 
	    ffffffff8a2b1c00 [unknown] ([kernel.kallsyms])
	    ffffffff8a2b1d00 [unknown] ([unknown])
	                   0 [unknown] ([unknown])
	    7f11d3b00000 std::vector<int>::push_back(int;x)+0x10 (/usr/lib/libfoo.so)

`;

test('perf script samples fold to root-first stacks with offsets dropped', () => {
  const folded = foldPerfScript(PERF_SCRIPT);
  assert.equal(folded.get('framed;__libc_start_call_main;main;handle_request;frame_checksum;crc_bitwise'), 2);
  assert.equal(folded.size, 2);
});

test('comm with spaces, tid and cpu fields, unknown frames and semicolons in names', () => {
  const folded = foldPerfScript(PERF_SCRIPT);
  assert.equal(folded.get('my worker;std::vector<int>::push_back(int:x);[unknown];[kernel]'), 1);
  assert.equal(frameName('[unknown]', '/usr/lib/libc.so.6'), '[libc.so.6]');
  assert.equal(frameName('[unknown]', 'unknown'), '[unknown]');
  assert.equal(frameName('memcpy+0x1f', 'libc'), 'memcpy');
  assert.equal(frameName('[unknown]', '[unknown]', 'ffffffff8225f759'), '[kernel]');
  assert.equal(frameName('[unknown]', '[unknown]', '1e55'), '[unknown]');
});

test('a sample without a call chain and one at the end of input without a blank line', () => {
  const folded = foldPerfScript('a 1 1.000001: 1 cpu-clock: \n\nb 2 2.000002: 1 cpu-clock: \n\t 1234 f+0x1 (/bin/b)');
  assert.deepEqual([...folded.entries()], [['a', 1], ['b;f', 1]]);
});

test('folded text round-trips, sorted, and is told apart from perf script', () => {
  const folded = foldPerfScript(PERF_SCRIPT);
  const text = formatFolded(folded);
  assert.ok(text.startsWith('framed;'));
  assert.ok(looksFolded(text));
  assert.ok(!looksFolded(PERF_SCRIPT));
  assert.deepEqual(parseFolded(text), folded);
  assert.deepEqual([...parseFolded('a b;c d 3\nnoise\nx;y 2\nx;y 1\n')], [['a b;c d', 3], ['x;y', 3]]);
});
