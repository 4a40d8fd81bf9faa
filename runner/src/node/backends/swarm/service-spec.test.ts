import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasPrivilegesApi, labServiceSpec, placementFor } from './service-spec.ts';

const lab = { id: 'gc-stall', capabilities: ['SYS_ADMIN', 'SYS_PTRACE'], resources: { memoryBytes: 1536 * 1048576, pids: 512, cpus: 1.5, diskBytes: 1 << 30 } };

test('a lab as a service of one task: its limits, capabilities, mounts and labels; no network, no restart', () => {
  const spec = labServiceSpec({
    lab, sessionId: 's1', image: 'kdlabs/lab-gc-stall:abc', runnerName: 'r', memlock: true,
    hostMounts: [{ host: '/sys/kernel/tracing', mode: 'rw' }, { host: '/lib/modules', mode: 'ro' }],
    checkToolsVolume: 'kdlabs-check-s1', checkToolsDir: '/opt/kdlabs-check', constraints: ['node.id!=x'],
  }) as any;
  assert.equal(spec.Name, 'kdlabs-s1');
  assert.deepEqual(spec.Labels, { 'kdlabs.managed': '1', 'kdlabs.runner': 'r', 'kdlabs.session': 's1', 'kdlabs.lab': 'gc-stall' });
  const t = spec.TaskTemplate;
  assert.deepEqual(t.ContainerSpec.CapabilityAdd, ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE']);
  assert.equal(t.ContainerSpec.Init, true);
  assert.deepEqual(t.ContainerSpec.Ulimits, [{ Name: 'memlock', Soft: -1, Hard: -1 }]);
  assert.deepEqual(t.Resources.Limits, { MemoryBytes: 1536 * 1048576, NanoCPUs: 1_500_000_000, Pids: 512 });
  assert.equal(t.Resources.Reservations.MemoryBytes, 1536 * 1048576, 'placed only where the whole limit fits');
  assert.equal(t.RestartPolicy.Condition, 'none');
  assert.equal(t.Networks, undefined);
  assert.deepEqual(t.Placement.Constraints, ['node.id!=x']);
  assert.deepEqual(t.ContainerSpec.Mounts.map((m: any) => [m.Type, m.Source, m.ReadOnly]), [
    ['bind', '/sys/kernel/tracing', false], ['bind', '/lib/modules', true], ['volume', 'kdlabs-check-s1', true],
  ]);
  assert.equal(t.ContainerSpec.Mounts[2].VolumeOptions.Labels['kdlabs.session'], 's1', 'the node\'s volume is reaped by its labels');
  assert.equal(spec.Mode.Replicated.Replicas, 1);
  const noMemlock = labServiceSpec({ lab, sessionId: 's1', image: 'i', runnerName: 'r', memlock: false, hostMounts: [], checkToolsVolume: 'v', checkToolsDir: '/d' }) as any;
  assert.equal(noMemlock.TaskTemplate.ContainerSpec.Ulimits, undefined);
});

test('a SYS_ADMIN lab keeps off nodes that enforce AppArmor, and is refused when every node does', () => {
  const nodes = [{ id: 'n1', hostname: 'a', apparmor: false, labels: {} }, { id: 'n2', hostname: 'b', apparmor: true, labels: {} }];
  assert.deepEqual(placementFor(lab, nodes), { ok: true, constraints: ['node.id!=n2'] });
  assert.deepEqual(placementFor({ id: 'x', capabilities: ['SYS_PTRACE'] }, nodes), { ok: true, constraints: [] });
  const none = placementFor(lab, [nodes[1]!]);
  assert.ok(!none.ok && /every node it may use enforces AppArmor \(b\)/.test(none.message));
});

test('from API 1.44 (Docker 25) a service turns AppArmor off itself, so every node may take a SYS_ADMIN lab', () => {
  assert.ok(!hasPrivilegesApi('1.41') && hasPrivilegesApi('1.44') && hasPrivilegesApi('1.47') && hasPrivilegesApi('2.0'));
  const base = { lab, sessionId: 's', image: 'i', runnerName: 'r', memlock: false, hostMounts: [], checkToolsVolume: 'v', checkToolsDir: '/d' };
  assert.deepEqual((labServiceSpec({ ...base, privilegesApi: true }) as any).TaskTemplate.ContainerSpec.Privileges, { AppArmor: { Mode: 'disabled' } });
  assert.equal((labServiceSpec(base) as any).TaskTemplate.ContainerSpec.Privileges, undefined);
  assert.deepEqual(placementFor(lab, [{ id: 'n2', hostname: 'b', apparmor: true, labels: {} }], true), { ok: true, constraints: [] });
});

test('a lab that asks for node labels goes only to nodes carrying them, and is refused with the fix when none does', () => {
  const disk = { id: 'io-lab', capabilities: [], placement: { nodeLabels: { 'kdlabs.disk': 'nvme' } } };
  const nodes = [
    { id: 'n1', hostname: 'a', apparmor: false, labels: { 'kdlabs.disk': 'nvme' } },
    { id: 'n2', hostname: 'b', apparmor: false, labels: { 'kdlabs.disk': 'sata' } },
  ];
  assert.deepEqual(placementFor(disk, nodes), { ok: true, constraints: ['node.labels.kdlabs.disk==nvme'] });
  const none = placementFor(disk, [nodes[1]!]);
  assert.ok(!none.ok && none.message.includes('b lacks kdlabs.disk=nvme') && none.message.includes('docker node update --label-add kdlabs.disk=nvme'), !none.ok ? none.message : '');
  // AppArmor is judged among the labelled nodes only: the one labelled node enforcing it leaves none.
  const sysAdmin = { ...disk, capabilities: ['SYS_ADMIN'] };
  const armored = placementFor(sysAdmin, [{ ...nodes[0]!, apparmor: true }, nodes[1]!]);
  assert.ok(!armored.ok && /every node it may use enforces AppArmor \(a\)/.test(armored.message));
  assert.deepEqual(placementFor(sysAdmin, [...nodes, { id: 'n3', hostname: 'c', apparmor: true, labels: { 'kdlabs.disk': 'nvme' } }]),
    { ok: true, constraints: ['node.labels.kdlabs.disk==nvme', 'node.id!=n3'] });
});
