// Turns findings into next steps. Pure: takes whatever sections were
// collected and returns recommendations, so every rule is unit-testable.
import type { Recommendation, Sections } from './report.ts';

/** Above ~30% system time the kernel, not the application, is where CPU goes. */
export const SYS_PCT_HIGH = 30;
/** Context switches per second per CPU beyond which switching itself costs noticeable CPU. */
export const CS_PER_CPU_HIGH = 10_000;
/** iowait share that means CPUs regularly sit idle waiting for storage. */
export const IOWAIT_PCT_HIGH = 20;
/** Steal share that means the hypervisor is giving our vCPUs to someone else. */
export const STEAL_PCT_HIGH = 10;
/** Load per CPU above which runnable work queues up. */
export const LOAD_PER_CPU_HIGH = 2;
/** MemAvailable below this share of MemTotal: the next allocation burst may reclaim hard or OOM. */
export const MEM_AVAILABLE_LOW_PCT = 10;
/** Unreclaimable slab above this share of RAM is unusual and worth tracing (kernel leak?). */
export const SUNRECLAIM_HIGH_PCT = 10;
/** PSI "some" avg10 above this % means tasks were stalled on memory a noticeable share of time. */
export const PSI_SOME_HIGH = 10;
/** More zombies than this suggests a parent that never calls wait(). */
export const ZOMBIES_HIGH = 10;
/** A few corrected ECC errors happen; many suggest a failing DIMM. */
export const EDAC_CE_HIGH = 100;

export function recommend(s: Sections): Recommendation[] {
  const out: Recommendation[] = [];
  const add = (r: Recommendation) => out.push(r);

  const k = s.kernel;
  if (k?.tainted && k.tainted.value !== 0) {
    const letters = k.tainted.flags.map((f) => f.letter).join('');
    const died = k.tainted.flags.some((f) => f.letter === 'D');
    add({
      severity: died ? 'critical' : 'warning',
      section: 'kernel',
      finding: `kernel is tainted (${k.tainted.value}: ${letters})`,
      action: died
        ? 'the kernel has oopsed since boot: read the first Oops/BUG and its Call Trace (`kdiag log`, `dmesg`), then reboot — state after an oops is unreliable'
        : 'note the taint in bug reports; for O/E/P taints reproduce without out-of-tree modules before blaming the kernel',
    });
  }

  const f = s.features;
  if (f) {
    if (f.tracefs === null) {
      add({ severity: 'warning', section: 'features', finding: 'tracefs is not mounted', action: 'mount it: `mount -t tracefs nodev /sys/kernel/tracing` (ftrace, perf tracepoints and bpftrace need it)' });
    }
    if (!f.kprobes.available) {
      add({
        severity: 'info',
        section: 'features',
        finding: `kprobes unavailable (${f.kprobes.evidence})`,
        action: 'use stable tracepoints instead (`ktrace` only uses tracepoints; list them with `bpftrace -l "tracepoint:*"`); fentry/kfunc probes may work if BTF is present',
      });
    }
    if (!f.btf) {
      add({ severity: 'info', section: 'features', finding: 'no BTF (/sys/kernel/btf/vmlinux missing)', action: 'bpftrace needs kernel headers for struct access; tracepoint args still work' });
    }
  }

  const log = s.log;
  if (log && !log.available) {
    add({ severity: 'warning', section: 'log', finding: `kernel log not readable (${log.reasons.join('; ')})`, action: log.fix });
  }
  if (log?.available) {
    const count = (id: string) => log.patterns.find((p) => p.id === id)?.count ?? 0;
    if (count('oops') + count('bug') > 0) {
      add({ severity: 'critical', section: 'log', finding: `${count('oops')} Oops and ${count('bug')} BUG lines in the kernel log`, action: 'start from the FIRST Oops/BUG (later ones are often fallout): decode its Call Trace with scripts/decode_stacktrace.sh or `gdb vmlinux`; capture a vmcore with kdump if it recurs' });
    }
    if (count('oom_kill') > 0) {
      add({ severity: 'warning', section: 'log', finding: `${count('oom_kill')} OOM kill(s) in the kernel log`, action: 'check the victim and the memory cgroup limit (`kdiag memory`: memory.max, memory.events oom_kill); raise memory.max or reduce the workload\'s memory' });
    }
    if (count('hung_task') > 0) {
      add({ severity: 'warning', section: 'log', finding: `${count('hung_task')} hung-task report(s) ("blocked for more than")`, action: 'tasks stuck in D state: look at their stacks (`kdiag tasks`), then storage (`ktrace biolatency`) or lock contention (`ktrace locks`)' });
    }
    if (count('soft_lockup') + count('hard_lockup') + count('rcu_stall') > 0) {
      add({ severity: 'critical', section: 'log', finding: 'lockup or RCU stall reports in the kernel log', action: 'a CPU spun in the kernel without scheduling: the reported stack shows where; check for spinlock loops (`ktrace locks`) and interrupt storms (`kdiag cpu` irq/softirq)' });
    }
    if (count('warning') > 0) {
      add({ severity: 'info', section: 'log', finding: `${count('warning')} kernel WARNING(s)`, action: 'each WARNING has a file:line and a Call Trace; they mark violated kernel assumptions, often the first sign of a later failure' });
    }
    if (count('segfault') > 0) {
      add({ severity: 'info', section: 'log', finding: `${count('segfault')} user-space segfault(s)`, action: 'application crashes, not kernel bugs: enable core dumps (`ulimit -c unlimited`) and debug with gdb' });
    }
  }

  const m = s.memory;
  const mi = m?.meminfo;
  if (mi && mi.totalBytes > 0) {
    const availPct = (mi.availableBytes / mi.totalBytes) * 100;
    if (availPct < MEM_AVAILABLE_LOW_PCT) {
      add({ severity: 'warning', section: 'memory', finding: `only ${availPct.toFixed(1)}% of memory available`, action: 'find the consumer (`ps aux --sort=-rss | head`, slab top in `kdiag memory`); expect reclaim stalls and OOM kills' });
    }
    const sunreclaimPct = (mi.slabUnreclaimableBytes / mi.totalBytes) * 100;
    if (sunreclaimPct > SUNRECLAIM_HIGH_PCT) {
      add({ severity: 'warning', section: 'memory', finding: `unreclaimable slab is ${sunreclaimPct.toFixed(1)}% of RAM`, action: 'a kernel object cache keeps growing: see the top slab caches, then `ktrace memleak` to find who allocates without freeing' });
    }
  }
  const psiSome = m?.pressure?.some?.avg10 ?? 0;
  if (psiSome > PSI_SOME_HIGH) {
    add({ severity: 'warning', section: 'memory', finding: `memory pressure: tasks stalled ${psiSome}% of the last 10 s (PSI some avg10)`, action: 'the system is reclaiming or swapping under load: reduce memory use or raise limits; watch /proc/pressure/memory' });
  }
  const cg = m?.cgroup;
  if (cg?.version === 2) {
    const oomKills = cg.events['oom_kill'] ?? 0;
    if (oomKills > 0) {
      add({ severity: 'warning', section: 'memory', finding: `${oomKills} OOM kill(s) in this cgroup (memory.events oom_kill)`, action: `the cgroup hit memory.max (${String(cg.maxBytes)}): raise it or cut the workload's memory; memory.stat shows anon vs file vs kernel usage` });
    }
    const high = cg.events['high'] ?? 0;
    if (high > 0) {
      add({ severity: 'info', section: 'memory', finding: `cgroup exceeded memory.high ${high} time(s)`, action: 'allocations were throttled with forced reclaim; raise memory.high if latency matters' });
    }
    const cgSome = cg.pressure?.some?.avg10 ?? 0;
    if (cgSome > PSI_SOME_HIGH) {
      add({ severity: 'warning', section: 'memory', finding: `cgroup memory pressure ${cgSome}% (memory.pressure some avg10)`, action: 'this cgroup is reclaiming to stay under its limit: raise memory.max/memory.high or reduce its working set' });
    }
  } else if (cg?.version === 1 && (cg.oomKill ?? 0) > 0) {
    add({ severity: 'warning', section: 'memory', finding: `${cg.oomKill ?? 0} OOM kill(s) in this cgroup (v1 memory.oom_control)`, action: 'raise memory.limit_in_bytes or reduce the workload\'s memory' });
  }

  const c = s.cpu;
  if (c?.split) {
    const cpus = Math.max(1, c.cpuCount);
    const csPerCpu = (c.contextSwitchesPerSec ?? 0) / cpus;
    if (c.split.system > SYS_PCT_HIGH) {
      const cs = csPerCpu > CS_PER_CPU_HIGH ? ` with ${Math.round(csPerCpu)} context switches/s per CPU` : '';
      add({ severity: 'warning', section: 'cpu', finding: `system time ${c.split.system.toFixed(1)}%${cs}`, action: 'find which syscalls burn it: `ktrace syscalls` (system-wide) or `strace -c -p PID`; then `perf top` for kernel hot spots' });
    } else if (csPerCpu > CS_PER_CPU_HIGH) {
      add({ severity: 'info', section: 'cpu', finding: `${Math.round(csPerCpu)} context switches/s per CPU`, action: 'many short sleeps/wakeups: check futex and poll syscalls with `ktrace syscalls`, and lock contention with `ktrace locks`' });
    }
    if (c.split.iowait > IOWAIT_PCT_HIGH) {
      add({ severity: 'warning', section: 'cpu', finding: `iowait ${c.split.iowait.toFixed(1)}%`, action: 'CPUs idle waiting for storage: measure device latency with `ktrace biolatency` and `iostat -x 1`' });
    }
    if (c.split.steal > STEAL_PCT_HIGH) {
      add({ severity: 'warning', section: 'cpu', finding: `steal ${c.split.steal.toFixed(1)}%`, action: 'the hypervisor is running other guests on our CPUs: nothing inside the VM fixes this; ask for dedicated vCPUs' });
    }
    if (c.loadavg && c.loadavg.one / cpus > LOAD_PER_CPU_HIGH) {
      add({ severity: 'info', section: 'cpu', finding: `load ${c.loadavg.one} on ${cpus} CPU(s)`, action: 'load counts runnable AND D-state tasks: compare procs_running with procs_blocked to tell CPU saturation from I/O waits' });
    }
  }

  const t = s.tasks;
  if (t && t.dStateCount > 0) {
    const where = [...new Set(t.dState.map((d) => d.wchan).filter((w): w is string => w !== null))].slice(0, 3).join(', ');
    add({ severity: 'warning', section: 'tasks', finding: `${t.dStateCount} thread(s) in D state${where ? ` (waiting in ${where})` : ''}`, action: 'uninterruptible sleep is usually I/O or a kernel lock: read their stacks (`cat /proc/PID/stack`), then `ktrace biolatency` / `ktrace locks`' });
  }
  if (t && t.zombieCount > ZOMBIES_HIGH) {
    add({ severity: 'info', section: 'tasks', finding: `${t.zombieCount} zombie processes`, action: 'their parent does not reap children (wait()); fix or restart the parent (PPID shown in `kdiag tasks`)' });
  }

  const h = s.hardware;
  if (h) {
    const ue = h.edac.controllers.reduce((n, c2) => n + (c2.uncorrectable ?? 0), 0);
    const ce = h.edac.controllers.reduce((n, c2) => n + (c2.correctable ?? 0), 0);
    if (ue > 0) add({ severity: 'critical', section: 'hardware', finding: `${ue} uncorrectable memory error(s) (EDAC)`, action: 'replace the failing DIMM; data may already be corrupted' });
    else if (ce > EDAC_CE_HIGH) add({ severity: 'warning', section: 'hardware', finding: `${ce} corrected memory errors (EDAC)`, action: 'a DIMM is degrading: plan replacement (`edac-util -v` shows which)' });
    if (h.kernelLogMce.count > 0) add({ severity: 'warning', section: 'hardware', finding: `${h.kernelLogMce.count} machine-check line(s) in the kernel log`, action: 'decode with `mcelog`/`rasdaemon` (`ras-mc-ctl --errors`); recurring MCEs mean failing hardware' });
  }

  return out;
}
