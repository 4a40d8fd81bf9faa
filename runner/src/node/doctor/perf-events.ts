// perf events: does perf_event_open work (tried with the host's `perf stat`
// when there is one), which PMUs the kernel offers (hardware counters or only
// software ones, as in most VMs), and perf_event_paranoid.
import type { CheckOutcome } from './check.ts';
import { lastLine } from './check.ts';
import type { HostIo, IoResult, RunOutput } from './host-io.ts';

export const PERF = process.env.KDLABS_PERF ?? 'perf';
/** `perf stat` of `true` takes milliseconds; a loaded 2-core host gets slack. */
export const PERF_STAT_TIMEOUT_MS = 10_000;
/** PMUs with hardware counters (cycles, instructions): Intel/AMD, Intel hybrid cores, Arm. */
const HARDWARE_PMU = /^(cpu|cpu_core|cpu_atom|armv\d.*|arm_.*)$/;

export interface PerfFacts {
  paranoid: number | null;
  pmus: string[] | null;
  /** `perf stat -e cpu-clock -- true`; null when there is no perf on the host. */
  perfStat: IoResult<RunOutput> | null;
  uid: number;
}

/** Debian's /usr/bin/perf wrapper, when no perf matches the running kernel, prints this instead of running. */
const WRAPPER_MISMATCH = /perf not found for kernel|You may need to install linux-perf/i;

export function decidePerf(f: PerfFacts): CheckOutcome {
  const hw = (f.pmus ?? []).filter((p) => HARDWARE_PMU.test(p));
  const facts = { paranoid: f.paranoid, pmus: f.pmus?.join(',') ?? null, hardwarePmu: hw.join(',') || null };
  if (f.paranoid === null) {
    return {
      status: 'missing', detail: 'no /proc/sys/kernel/perf_event_paranoid', facts,
      why: 'the kernel has no perf events (CONFIG_PERF_EVENTS): perf, bpftrace and every BPF tool that attaches to tracepoints fail',
      fix: 'boot a kernel built with CONFIG_PERF_EVENTS=y (every Debian kernel has it)',
    };
  }
  const para = `perf_event_paranoid=${f.paranoid}`;
  const stat = f.perfStat;
  let tried = 'perf_event_open not tried (no perf on this host; labs bring their own)';
  if (stat && !stat.ok) tried = `perf_event_open not tried (perf could not run: ${stat.code})`;
  if (stat?.ok) {
    const out = `${stat.value.stderr}\n${stat.value.stdout}`;
    if (stat.value.code === 0) tried = 'perf_event_open works (perf stat -e cpu-clock)';
    else if (WRAPPER_MISMATCH.test(out)) tried = 'perf_event_open not tried (the host\'s perf does not match this kernel; labs bring their own)';
    else if (stat.value.timedOut) tried = `perf stat did not finish within ${PERF_STAT_TIMEOUT_MS / 1000} s`;
    else {
      const reason = lastLine(out) || `exit ${stat.value.code}`;
      if (f.uid !== 0) {
        return {
          status: 'degraded', detail: `perf stat refused as uid ${f.uid}; ${para}`, facts,
          why: `${reason} — as root (the runner, the labs) it is not restricted by perf_event_paranoid`,
          fix: 'run `labs doctor` as root',
        };
      }
      return {
        status: 'missing', detail: `perf stat -e cpu-clock failed as root; ${para}`, facts,
        why: `perf_event_open failed: ${reason}; perf and bpftrace will fail in labs too`,
        fix: 'check the kernel log: dmesg | grep -i perf   (a seccomp or LSM policy on the host, or a kernel without perf events)',
      };
    }
  }
  const pmus = f.pmus ? `PMUs: ${f.pmus.join(', ')}` : 'PMUs: unknown';
  const detail = `${tried}; ${pmus}; ${para}`;
  if (f.pmus && !hw.length) {
    return {
      status: 'degraded', detail, facts,
      why: 'no hardware PMU (a VM without a virtual PMU): `perf stat` shows cycles and instructions as <not supported>; `perf top` and `perf record` sample with cpu-clock instead',
      fix: 'give the VM a virtual PMU (QEMU/KVM: -cpu host,pmu=on; on a cloud VM, an instance type that exposes the PMU); software events need nothing',
    };
  }
  return { status: 'ok', detail, why: null, fix: null, facts };
}

export async function readPerfFacts(io: HostIo, uid: number): Promise<PerfFacts> {
  const text = await io.readText('/proc/sys/kernel/perf_event_paranoid');
  const n = text.ok ? Number(text.value.trim()) : NaN;
  const pmus = await io.listDir('/sys/bus/event_source/devices');
  const run = await io.run(PERF, ['stat', '-e', 'cpu-clock', '-x', ',', '--', 'true'], PERF_STAT_TIMEOUT_MS);
  const perfStat = !run.ok && run.code === 'ENOENT' ? null : run;
  return { paranoid: Number.isFinite(n) ? n : null, pmus, perfStat, uid };
}

export async function checkPerf(io: HostIo, uid: number): Promise<CheckOutcome> {
  return decidePerf(await readPerfFacts(io, uid));
}
