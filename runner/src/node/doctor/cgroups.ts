// cgroups: v1, v2 or hybrid, which controllers sit in which hierarchy, and
// whether the ones Docker needs for a lab's limits (memory, pids, cpu) are there.
import type { CheckOutcome } from './check.ts';
import type { HostIo } from './host-io.ts';
import { parseMountinfo, type Mount } from './mountinfo.ts';

/** Every lab container gets a memory, pids and CPU limit (lab.yaml `resources`). */
export const LAB_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;

const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio', 'blkio', 'perf_event', 'hugetlb', 'pids', 'rdma', 'misc',
]);

export type CgroupMode = 'v2' | 'v1' | 'hybrid' | 'none';

export interface CgroupLayout {
  mode: CgroupMode;
  /** v1 controllers with their mount points. */
  v1: Array<{ controller: string; mountPoint: string }>;
  /** The cgroup2 mount, if any, and the controllers its root offers. */
  v2: { mountPoint: string; controllers: string[] } | null;
}

export function cgroupLayout(mounts: Mount[], v2Controllers: string | null): CgroupLayout {
  const v1 = mounts
    .filter((m) => m.fsType === 'cgroup')
    .flatMap((m) => m.superOptions.filter((o) => V1_CONTROLLERS.has(o)).map((controller) => ({ controller, mountPoint: m.mountPoint })));
  const v1Mounted = mounts.some((m) => m.fsType === 'cgroup');
  const unified = mounts.filter((m) => m.fsType === 'cgroup2');
  // The host's own hierarchy: /sys/fs/cgroup (v2) or /sys/fs/cgroup/unified (hybrid) — not a container's nested view.
  const v2Mount = unified.find((m) => m.mountPoint === '/sys/fs/cgroup') ?? unified.find((m) => m.mountPoint === '/sys/fs/cgroup/unified') ?? unified[0];
  const v2 = v2Mount ? { mountPoint: v2Mount.mountPoint, controllers: (v2Controllers ?? '').trim().split(/\s+/).filter(Boolean) } : null;
  const mode: CgroupMode = v1Mounted ? (v2 ? 'hybrid' : 'v1') : v2 ? 'v2' : 'none';
  return { mode, v1, v2 };
}

export function decideCgroups(layout: CgroupLayout): CheckOutcome {
  const v1Names = [...new Set(layout.v1.map((c) => c.controller))];
  const where = [
    v1Names.length ? `v1: ${v1Names.join(', ')}` : '',
    layout.v2 ? `v2 (${layout.v2.mountPoint}): ${layout.v2.controllers.join(', ') || 'no controllers'}` : '',
  ].filter(Boolean).join('; ');
  const facts = { mode: layout.mode, v1: v1Names.join(',') || null, v2: layout.v2?.controllers.join(',') ?? null, v2Mount: layout.v2?.mountPoint ?? null };
  if (layout.mode === 'none') {
    return {
      status: 'missing', detail: 'no cgroup file system is mounted', facts,
      why: 'Docker cannot put a lab in a cgroup, so no container lab starts',
      fix: 'mount -t cgroup2 none /sys/fs/cgroup   (systemd does this at boot)',
    };
  }
  // Docker uses v2 only when /sys/fs/cgroup itself is cgroup2; with any v1 hierarchy it uses v1.
  const usable = layout.mode === 'v2' ? (layout.v2?.controllers ?? []) : v1Names;
  const absent = LAB_CONTROLLERS.filter((c) => !usable.includes(c));
  const detail = `${layout.mode}; ${where}`;
  if (absent.length) {
    return {
      status: 'missing', detail, facts,
      why: `the ${absent.join(', ')} controller${absent.length > 1 ? 's are' : ' is'} not available in the ${layout.mode === 'v2' ? 'v2' : 'v1'} hierarchy Docker uses; lab limits (lab.yaml resources) cannot be set`,
      fix: layout.mode === 'v2'
        ? `echo "+${absent.join(' +')}" > /sys/fs/cgroup/cgroup.subtree_control   (or boot without cgroup_disable=${absent[0]})`
        : `mount the v1 controller: mkdir -p /sys/fs/cgroup/${absent[0]} && mount -t cgroup -o ${absent[0]} cgroup /sys/fs/cgroup/${absent[0]}`,
    };
  }
  if (layout.mode === 'v2') return { status: 'ok', detail, why: null, fix: null, facts };
  return {
    status: 'degraded', detail, facts,
    why: `cgroup ${layout.mode === 'hybrid' ? 'v1 (hybrid)' : 'v1'}: Docker puts labs in v1 hierarchies. Labs and kdiag read the v1 files, but the v2-only files the tuning page uses (memory.high, memory.events, memory.pressure, cpu.max) do not exist in a lab`,
    fix: 'boot with systemd.unified_cgroup_hierarchy=1: add it to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, reboot',
  };
}

export async function checkCgroups(io: HostIo): Promise<CheckOutcome> {
  const info = await io.readText('/proc/self/mountinfo');
  if (!info.ok) return { status: 'degraded', detail: 'could not tell', why: `/proc/self/mountinfo: ${info.message}`, fix: 'mount -t proc proc /proc', facts: {} };
  const mounts = parseMountinfo(info.value);
  const probe = cgroupLayout(mounts, null);
  const controllers = probe.v2 ? await io.readText(`${probe.v2.mountPoint}/cgroup.controllers`) : null;
  return decideCgroups(cgroupLayout(mounts, controllers?.ok ? controllers.value : null));
}
