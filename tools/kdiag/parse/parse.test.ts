import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMeminfo } from './meminfo.ts';
import { CPU_FIELDS, cpuSplit, parseProcStat } from './procstat.ts';
import { parseSlabinfo, topSlabs } from './slabinfo.ts';
import { parsePidStat } from './pidstat.ts';
import { decodeTaint } from './taint.ts';
import { parseKconfig } from './kconfig.ts';
import { formatKmsgRecord, scanKernelLog } from './klog.ts';
import { parseCgroupMounts, parseFlatKeyed, parseLimit, parsePressure, parseProcCgroup } from './cgroup.ts';
import { parseLoadavg } from './loadavg.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

test('meminfo: kB values become bytes, counts stay counts', () => {
  const m = parseMeminfo(fixture('meminfo.txt'));
  assert.ok((m.get('MemTotal') ?? 0) > 1024 ** 3, 'MemTotal > 1 GiB on the recording VM');
  assert.equal((m.get('MemTotal') ?? 0) % 1024, 0);
  assert.ok((m.get('MemAvailable') ?? 0) <= (m.get('MemTotal') ?? 0));
  assert.equal(m.get('HugePages_Total'), 0);
});

test('/proc/stat: two real samples give a split summing to 100%', () => {
  const a = parseProcStat(fixture('stat-1.txt'));
  const b = parseProcStat(fixture('stat-2.txt'));
  assert.equal(b.cpuCount, 2);
  assert.ok(b.ctxt > a.ctxt);
  assert.ok(b.intr > a.intr);
  const split = cpuSplit(a.cpu, b.cpu);
  const sum = CPU_FIELDS.reduce((s, f) => s + split[f], 0);
  assert.ok(Math.abs(sum - 100) < 1e-9, `sum ${sum}`);
  assert.ok(split.idle > 50, 'the recording VM was mostly idle');
});

test('slabinfo: parses real root-only output and ranks by size', () => {
  const caches = parseSlabinfo(fixture('slabinfo.txt'));
  assert.ok(caches.length > 100);
  const top = topSlabs(caches, 3);
  assert.equal(top.length, 3);
  assert.ok((top[0]?.bytes ?? 0) >= (top[1]?.bytes ?? 0));
  const dentry = caches.find((c) => c.name === 'dentry');
  assert.equal(dentry?.objSize, 192);
});

test('pid stat: comm with spaces and parentheses', () => {
  const s = parsePidStat('4242 (my (weird) proc) D 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 1000 10');
  assert.deepEqual(s, { pid: 4242, comm: 'my (weird) proc', state: 'D', ppid: 1, cpuTicks: 300 });
  assert.equal(parsePidStat('garbage'), undefined);
});

test('taint: decodes letters', () => {
  assert.deepEqual(decodeTaint(0), []);
  // W (bit 9) + O (bit 12) + D (bit 7)
  const flags = decodeTaint((1 << 9) | (1 << 12) | (1 << 7));
  assert.deepEqual(flags.map((f) => f.letter), ['D', 'W', 'O']);
});

test('kconfig: y, not set, absent', () => {
  const c = parseKconfig(fixture('config-excerpt.txt'), ['CONFIG_KPROBES', 'CONFIG_DEBUG_INFO_BTF', 'CONFIG_LOCKDEP']);
  assert.deepEqual(c, { CONFIG_KPROBES: 'not set', CONFIG_DEBUG_INFO_BTF: 'y', CONFIG_LOCKDEP: null });
});

test('kernel log: real clean log has only the real segfault', () => {
  const hits = scanKernelLog(fixture('dmesg-clean.txt').split('\n'), 3);
  const nonZero = hits.filter((h) => h.count > 0).map((h) => h.id);
  assert.deepEqual(nonZero, ['segfault']);
});

test('kernel log: every pattern fires once on the synthetic error log', () => {
  const hits = scanKernelLog(fixture('dmesg-errors.txt').split('\n'), 3);
  const byId = Object.fromEntries(hits.map((h) => [h.id, h.count]));
  assert.deepEqual(byId, {
    oops: 1,
    bug: 2, // "BUG: kernel NULL pointer" and "watchdog: BUG: soft lockup"
    warning: 1,
    call_trace: 2,
    oom_kill: 1, // one incident, three lines
    hung_task: 1,
    soft_lockup: 1,
    hard_lockup: 1,
    rcu_stall: 1,
    segfault: 1,
    mce: 1,
  });
  assert.match(hits.find((h) => h.id === 'oom_kill')?.latest[0] ?? '', /Killed process 4412/);
});

test('/dev/kmsg record formatting', () => {
  assert.equal(formatKmsgRecord('6,339,5140900,-;NET: Registered PF_INET6 protocol family\n SUBSYSTEM=net'), '[    5.140900] NET: Registered PF_INET6 protocol family');
  assert.equal(formatKmsgRecord('no separator'), undefined);
});

test('cgroup v2: locate the group and parse events, stat, pressure, limits', () => {
  const groups = parseProcCgroup(fixture('cgroup2-proc-cgroup.txt'));
  assert.equal(groups.v2Path, '/system.slice/docker-abc.scope');
  assert.equal(parseCgroupMounts(fixture('cgroup2-mountinfo.txt')).v2, '/sys/fs/cgroup');
  assert.equal(parseFlatKeyed(fixture('cgroup2-memory.events.txt')).get('oom_kill'), 2);
  assert.equal(parseFlatKeyed(fixture('cgroup2-memory.stat.txt')).get('anon'), 104857600);
  const p = parsePressure(fixture('cgroup2-memory.pressure.txt'));
  assert.equal(p.some?.avg10, 23.5);
  assert.equal(p.full?.totalUs, 2000000);
  assert.equal(parseLimit('max\n'), 'max');
  assert.equal(parseLimit('536870912\n'), 536870912);
});

test('cgroup v1: real mountinfo and /proc/self/cgroup', () => {
  const mounts = parseCgroupMounts(fixture('mountinfo-v1.txt'));
  assert.equal(mounts.v1.get('memory'), '/sys/fs/cgroup/memory');
  assert.equal(mounts.v2, '/sys/fs/cgroup/unified');
  const groups = parseProcCgroup(fixture('proc-cgroup-v1.txt'));
  assert.match(groups.v1.get('memory') ?? '', /^\/process_api\//);
  assert.equal(groups.v2Path, '/');
});

test('system PSI and loadavg', () => {
  assert.equal(parsePressure(fixture('pressure.txt')).some?.avg10, 0);
  const la = parseLoadavg(fixture('loadavg.txt'));
  assert.ok(la.threads > 0);
  assert.throws(() => parseLoadavg('nonsense'));
});
