import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePreflight, parseCapEff, type PreflightFacts } from './preflight.ts';
import { tracefsFromMountinfo } from '../common/tracefs.ts';
import { locksMode } from './modes/locks.ts';

const ALL_CAPS = parseCapEff('CapEff:\t000001ffffffffff') ?? 0n;
const good: PreflightFacts = {
  bpftracePath: '/usr/bin/bpftrace',
  euid: 0,
  capEff: ALL_CAPS,
  tracefs: '/sys/kernel/tracing',
  tracepoints: new Map([
    ['lock:contention_begin', true],
    ['lock:contention_end', true],
    ['syscalls:sys_enter_futex', true],
    ['syscalls:sys_exit_futex', true],
  ]),
};

test('all prerequisites present: no issues', () => {
  assert.deepEqual(evaluatePreflight(good, locksMode.tracepoints, locksMode.missingHint), []);
});

test('missing tracepoint names it and the alternative (perf lock on < 5.19)', () => {
  const facts = { ...good, tracepoints: new Map([['lock:contention_begin', false], ['lock:contention_end', false]]) };
  const [issue] = evaluatePreflight(facts, locksMode.tracepoints, locksMode.missingHint);
  assert.equal(issue?.check, 'tracepoint');
  assert.match(issue?.message ?? '', /lock:contention_begin, lock:contention_end/);
  assert.match(issue?.fix ?? '', /perf lock/);
});

test('no bpftrace, not root, no tracefs: each reported with a fix', () => {
  const issues = evaluatePreflight({ ...good, bpftracePath: null, euid: 1000, tracefs: null }, locksMode.tracepoints, '');
  assert.deepEqual(issues.map((i) => i.check), ['bpftrace', 'privileges', 'tracefs']);
  assert.match(issues[0]?.fix ?? '', /apt-get install -y bpftrace/);
  assert.match(issues[2]?.fix ?? '', /mount -t tracefs nodev \/sys\/kernel\/tracing/);
});

test('container root without CAP_SYS_ADMIN/CAP_BPF is caught', () => {
  const dockerDefault = parseCapEff('CapEff:\t00000000a80425fb');
  const [issue] = evaluatePreflight({ ...good, capEff: dockerDefault }, locksMode.tracepoints, '');
  assert.equal(issue?.check, 'privileges');
  assert.match(issue?.fix ?? '', /--cap-add SYS_ADMIN/);
});

test('tracefs mount point comes from mountinfo', () => {
  const mi = '25 23 0:6 / /sys/kernel/debug rw - debugfs nodev rw\n40 25 0:12 / /sys/kernel/tracing rw,relatime - tracefs nodev rw\n';
  assert.equal(tracefsFromMountinfo(mi), '/sys/kernel/tracing');
  assert.equal(tracefsFromMountinfo('25 23 0:6 / /sys/kernel/debug rw - debugfs nodev rw'), null);
});
