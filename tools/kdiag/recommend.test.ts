import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { recommend } from './recommend.ts';
import type { CpuSection } from './collect/cpu.ts';
import type { MemorySection } from './collect/memory.ts';
import type { TasksSection } from './collect/tasks.ts';
import type { LogSection } from './collect/log.ts';
import { scanKernelLog } from './parse/klog.ts';
import { summarizeMeminfo } from './collect/memory.ts';
import { decodeTaint } from './parse/taint.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const idleCpu: CpuSection = {
  intervalSeconds: 1,
  cpuCount: 2,
  split: { user: 1, nice: 0, system: 1, idle: 98, iowait: 0, irq: 0, softirq: 0, steal: 0 },
  contextSwitchesPerSec: 800,
  interruptsPerSec: 500,
  procsRunning: 1,
  procsBlocked: 0,
  loadavg: { one: 0.1, five: 0.1, fifteen: 0.1, runnable: 1, threads: 100 },
  topProcesses: [],
  problems: [],
};

test('idle system from real fixtures: no recommendations', () => {
  const memory: MemorySection = { meminfo: summarizeMeminfo(fixture('meminfo.txt')), pressure: null, slabTop: { available: false, reason: '' }, cgroup: null, problems: [] };
  assert.deepEqual(recommend({ cpu: idleCpu, memory }), []);
});

test('high %sys with many context switches points at ktrace syscalls', () => {
  const cpu: CpuSection = { ...idleCpu, split: { ...idleCpu.split!, system: 55, idle: 44 }, contextSwitchesPerSec: 90_000 };
  const [r] = recommend({ cpu });
  assert.equal(r?.section, 'cpu');
  assert.match(r?.finding ?? '', /system time 55\.0% with 45000 context switches\/s per CPU/);
  assert.match(r?.action ?? '', /ktrace syscalls/);
  assert.match(r?.action ?? '', /strace -c/);
});

test('iowait and D-state tasks point at block I/O', () => {
  const cpu: CpuSection = { ...idleCpu, split: { ...idleCpu.split!, iowait: 40, idle: 58 } };
  const tasks: TasksSection = {
    threads: 100,
    byState: { D: 2, S: 98 },
    dStateCount: 2,
    dState: [{ pid: 10, tid: 10, comm: 'dd', wchan: 'io_schedule', stack: null, stackUnavailable: null }],
    zombieCount: 0,
    zombies: [],
    hungTaskTimeoutSecs: 120,
    problems: [],
  };
  const recs = recommend({ cpu, tasks });
  assert.deepEqual(recs.map((r) => r.section), ['cpu', 'tasks']);
  assert.match(recs[1]?.finding ?? '', /2 thread\(s\) in D state \(waiting in io_schedule\)/);
  assert.ok(recs.every((r) => /ktrace biolatency/.test(r.action)));
});

test('kernel log incidents: oops is critical, OOM kill and hung task are warnings', () => {
  const log: LogSection = { available: true, source: 'dmesg', linesScanned: 20, patterns: scanKernelLog(fixture('dmesg-errors.txt').split('\n'), 3) };
  const recs = recommend({ log });
  const bySeverity = (s: string) => recs.filter((r) => r.severity === s).map((r) => r.finding);
  assert.ok(bySeverity('critical').some((f) => /Oops/.test(f)));
  assert.ok(bySeverity('critical').some((f) => /lockup/.test(f)));
  assert.ok(bySeverity('warning').some((f) => /OOM kill/.test(f)));
  assert.ok(bySeverity('warning').some((f) => /hung-task/.test(f)));
});

test('unreadable kernel log says how to fix it', () => {
  const recs = recommend({ log: { available: false, reasons: ['dmesg: read kernel buffer failed: Operation not permitted'], fix: 'add CAP_SYSLOG' } });
  assert.equal(recs[0]?.action, 'add CAP_SYSLOG');
});

test('cgroup OOM kills and memory pressure point at memory.max', () => {
  const memory: MemorySection = {
    meminfo: null,
    pressure: null,
    slabTop: { available: false, reason: '' },
    cgroup: {
      version: 2,
      path: '/sys/fs/cgroup/lab',
      currentBytes: 500 * 2 ** 20,
      maxBytes: 512 * 2 ** 20,
      highBytes: 'max',
      events: { oom: 3, oom_kill: 2, high: 0 },
      stat: {},
      pressure: { some: { avg10: 23.5, avg60: 10, avg300: 3, totalUs: 1 }, full: null },
    },
    problems: [],
  };
  const recs = recommend({ memory });
  assert.equal(recs.length, 2);
  assert.match(recs[0]?.action ?? '', /memory\.max \(536870912\)/);
  assert.match(recs[1]?.finding ?? '', /23\.5%/);
});

test('tainted kernel and missing kprobes', () => {
  const recs = recommend({
    kernel: { release: '', version: '', machine: '', hostname: '', cmdline: '', uptimeSeconds: 1, tainted: { value: 128 | 512, flags: decodeTaint(128 | 512) }, problems: [] },
    features: {
      btf: true,
      tracefs: '/sys/kernel/tracing',
      kprobes: { available: false, evidence: 'no kprobe_events in /sys/kernel/tracing' },
      uprobes: { available: true, evidence: '' },
      perfEventParanoid: { value: 2, meaning: '' },
      kptrRestrict: { value: 0, meaning: '' },
      dmesgRestrict: { value: 1, meaning: '' },
      lockdep: false,
      config: { source: null, options: {} },
      problems: [],
    },
  });
  assert.equal(recs[0]?.severity, 'critical');
  assert.match(recs[0]?.finding ?? '', /tainted \(640: DW\)/);
  assert.match(recs[1]?.action ?? '', /tracepoints/);
});
