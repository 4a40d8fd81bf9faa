import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labAffects, toolsIn } from './lab-needs.ts';

type Lab = Parameters<typeof labAffects>[0][number];
const lab = (over: Partial<Lab> & Pick<Lab, 'id' | 'backend'>): Lab => ({
  title: over.id, steps: [], tasks: [], setup: null, solution: { script: 'true', notes: null, timeoutSeconds: 300 }, selftest: { symptom: 'true', timeoutSeconds: 60 }, ...over,
});
const task = (id: string, hints: string[], check: string | null = null) => ({
  id, title: id, step: 1, hints, check: check === null ? null : { script: check, timeoutSeconds: 30 }, question: null,
});

test('tool table: BCC and its CO-RE twin are told apart, prose is not a tool', () => {
  assert.deepEqual(toolsIn('run `runqlat-bpfcc 10 1`').map((t) => t.tool), ['BCC (*-bpfcc)']);
  assert.deepEqual(toolsIn('run `runqlat 10 1`').map((t) => t.tool), ['libbpf-tools (CO-RE)']);
  assert.deepEqual(toolsIn("bpftrace -e 'kprobe:vfs_read { @ = count(); }'").map((t) => t.tool), ['bpftrace', 'bpftrace kprobe:']);
  assert.deepEqual(toolsIn('perf stat -e page-faults').map((t) => t.tool), ['perf']);
  assert.deepEqual(toolsIn('the perf_event_paranoid setting and a perfect answer'), []);
});

test('a container lab depends on Docker and cgroups; the tools it names add the rest, with where', () => {
  const a = labAffects([lab({
    id: 'storm', backend: 'container',
    steps: [{ file: 'steps/01-look.md', title: 'Look', markdown: "Count them: `bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'`" }],
    tasks: [task('find', ['`opensnoop-bpfcc -p 1`'], 'cat /sys/fs/cgroup/memory.max')],
  })]);
  assert.deepEqual(a.docker.labs.map((l) => [l.labId, l.impact]), [['storm', 'cannot-start']]);
  assert.deepEqual(a['bcc-headers'].labs.map((l) => [l.labId, l.impact]), [['storm', 'tool-fails']]);
  assert.deepEqual(a['bcc-headers'].hints, [{ labId: 'storm', where: 'task find, hint 1', tools: ['BCC (*-bpfcc)'] }]);
  assert.deepEqual(a.tracefs.hints.map((h) => h.where), ['step 1 (01-look.md)', 'task find, hint 1']);
  assert.match(a.cgroups.labs[0]!.via, /check of task find/);
  assert.equal(a.cgroups.labs.length, 1, 'the cgroup file use joins the lab\'s own cgroups dependency');
  assert.deepEqual(a.kprobes.labs, []);
  assert.deepEqual(a.qemu.labs, []);
});

test('a VM lab needs QEMU, is only slower without KVM, and its tools need nothing of the host', () => {
  const a = labAffects([lab({ id: 'panic', backend: 'vm', steps: [{ file: 's.md', title: 's', markdown: '`perf record -g` and `runqlat-bpfcc`' }] })]);
  assert.deepEqual(a.qemu.labs.map((l) => l.impact), ['cannot-start']);
  assert.deepEqual(a.kvm.labs.map((l) => l.impact), ['slower']);
  assert.deepEqual(a['perf-events'].labs, []);
  assert.deepEqual(a['bcc-headers'].hints, []);
  assert.deepEqual(a.docker.labs, []);
});

test('Chromium is for the browser tests, not for labs', () => {
  const a = labAffects([]);
  assert.deepEqual(a.chromium.labs, []);
  assert.match(a.chromium.other.join(), /browser tests/);
  assert.ok(a.kprobes.tools.includes('bpftrace kprobe:'));
});
