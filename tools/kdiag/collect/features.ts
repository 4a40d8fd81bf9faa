// `kdiag features`: which kernel debugging/tracing facilities this system offers.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { gunzipSync } from 'node:zlib';
import { describeFsError, type SourceProblem, readInt } from '../../common/fsread.ts';
import { parseKconfig, type KconfigValue } from '../parse/kconfig.ts';
import { findTracefs } from '../../common/tracefs.ts';

export const CONFIG_OPTIONS = [
  'CONFIG_KPROBES',
  'CONFIG_UPROBES',
  'CONFIG_FTRACE',
  'CONFIG_BPF_SYSCALL',
  'CONFIG_BPF_EVENTS',
  'CONFIG_DEBUG_INFO_BTF',
  'CONFIG_DEBUG_KERNEL',
  'CONFIG_LOCKDEP',
  'CONFIG_PROVE_LOCKING',
  'CONFIG_LOCK_STAT',
  'CONFIG_KASAN',
  'CONFIG_KFENCE',
  'CONFIG_DETECT_HUNG_TASK',
  'CONFIG_SOFTLOCKUP_DETECTOR',
  'CONFIG_HARDLOCKUP_DETECTOR',
  'CONFIG_MAGIC_SYSRQ',
] as const;

export interface Explained {
  readonly value: number | null;
  readonly meaning: string;
}

export interface FeaturesSection {
  readonly btf: boolean;
  readonly tracefs: string | null;
  readonly kprobes: { readonly available: boolean; readonly evidence: string };
  readonly uprobes: { readonly available: boolean; readonly evidence: string };
  readonly perfEventParanoid: Explained;
  readonly kptrRestrict: Explained;
  readonly dmesgRestrict: Explained;
  readonly lockdep: boolean;
  readonly config: { readonly source: string | null; readonly options: Record<string, KconfigValue | null> };
  readonly problems: SourceProblem[];
}

export function explainParanoid(v: number | null): string {
  if (v === null) return 'unknown (perf_event_open not supported?)';
  if (v <= -1) return 'no restrictions for unprivileged users';
  if (v === 0) return 'unprivileged: CPU and kernel profiling allowed, raw tracepoints not';
  if (v === 1) return 'unprivileged: user+kernel profiling of own processes only';
  if (v === 2) return 'unprivileged: user-space profiling of own processes only';
  return 'unprivileged: perf_event_open denied entirely (Debian extension); root/CAP_PERFMON unaffected';
}

export function explainKptr(v: number | null): string {
  if (v === null) return 'unknown';
  if (v === 0) return 'kernel addresses visible to all users';
  if (v === 1) return 'kernel addresses hidden unless CAP_SYSLOG (root sees /proc/kallsyms)';
  return 'kernel addresses hidden from everyone (kallsyms shows zeros)';
}

export function explainDmesgRestrict(v: number | null): string {
  if (v === null) return 'unknown';
  return v === 0 ? 'any user may read the kernel log' : 'reading the kernel log needs CAP_SYSLOG';
}

function readConfig(problems: SourceProblem[]): { source: string | null; text: string | null } {
  const candidates = ['/proc/config.gz', `/boot/config-${os.release()}`];
  const reasons: string[] = [];
  for (const path of candidates) {
    try {
      const raw = readFileSync(path);
      return { source: path, text: path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8') };
    } catch (err) {
      reasons.push(`${path}: ${describeFsError(err)}`);
    }
  }
  problems.push({ source: 'kernel config', reason: `not readable (${reasons.join('; ')}); try 'modprobe configs'` });
  return { source: null, text: null };
}

export function collectFeatures(): FeaturesSection {
  const problems: SourceProblem[] = [];
  const tracefs = findTracefs();
  const kprobeEvents = tracefs !== null && existsSync(`${tracefs}/kprobe_events`);
  const debugKprobes = existsSync('/sys/kernel/debug/kprobes');
  const uprobeEvents = tracefs !== null && existsSync(`${tracefs}/uprobe_events`);
  const paranoid = readInt('/proc/sys/kernel/perf_event_paranoid', problems) ?? null;
  const kptr = readInt('/proc/sys/kernel/kptr_restrict', problems) ?? null;
  const dmesg = readInt('/proc/sys/kernel/dmesg_restrict', problems) ?? null;
  const config = readConfig(problems);
  return {
    btf: existsSync('/sys/kernel/btf/vmlinux'),
    tracefs,
    kprobes: {
      available: kprobeEvents || debugKprobes,
      evidence: kprobeEvents
        ? `${tracefs ?? ''}/kprobe_events present`
        : debugKprobes
          ? '/sys/kernel/debug/kprobes present'
          : tracefs === null
            ? 'tracefs not mounted, cannot tell'
            : `no kprobe_events in ${tracefs}`,
    },
    uprobes: {
      available: uprobeEvents,
      evidence: uprobeEvents ? `${tracefs ?? ''}/uprobe_events present` : tracefs === null ? 'tracefs not mounted, cannot tell' : `no uprobe_events in ${tracefs}`,
    },
    perfEventParanoid: { value: paranoid, meaning: explainParanoid(paranoid) },
    kptrRestrict: { value: kptr, meaning: explainKptr(kptr) },
    dmesgRestrict: { value: dmesg, meaning: explainDmesgRestrict(dmesg) },
    lockdep: existsSync('/proc/lockdep'),
    config: { source: config.source, options: config.text === null ? {} : parseKconfig(config.text, CONFIG_OPTIONS) },
    problems,
  };
}
