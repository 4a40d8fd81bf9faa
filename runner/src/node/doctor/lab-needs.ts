// Which labs, tools and lab places each capability affects, derived from the
// labs themselves: the backend (container → Docker and cgroups, vm → QEMU and
// KVM) and the tools their steps, hints and scripts use (the table below).
// Tools in a VM lab run on the guest's kernel, so they need nothing of the host.
import { basename } from 'node:path';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { CAPABILITY_IDS, type Affects, type CapabilityId, type LabDependency, type LabPlace } from '../../common/doctor.ts';

export interface ToolNeed {
  tool: string;
  /** How lab text names it (markdown, hints, shell scripts). */
  pattern: RegExp;
  needs: CapabilityId[];
}

/** The CO-RE libbpf-tools shipped in the lab image without a suffix (package libbpf-tools). */
export const LIBBPF_TOOLS = [
  'runqlat', 'runqlen', 'runqslower', 'biolatency', 'biosnoop', 'biopattern', 'biostacks', 'cachestat', 'cpudist', 'drsnoop',
  'execsnoop', 'exitsnoop', 'filetop', 'fsslower', 'funclatency', 'hardirqs', 'softirqs', 'klockstat', 'offcputime', 'oomkill',
  'opensnoop', 'statsnoop', 'syscount', 'tcpconnect', 'tcpconnlat', 'tcplife', 'tcprtt', 'tcpstates', 'tcptop', 'vfsstat', 'wakeuptime',
] as const;

export const TOOL_NEEDS: ToolNeed[] = [
  // bpftrace attaches tracepoints through perf_event_open and reads their formats from tracefs.
  { tool: 'bpftrace', pattern: /\bbpftrace\b/, needs: ['tracefs', 'perf-events'] },
  { tool: 'bpftrace kprobe:', pattern: /\bk(?:ret)?probe:[\w*]/, needs: ['kprobes'] },
  { tool: 'bpftrace uprobe:/usdt:', pattern: /\b(?:u(?:ret)?probe|usdt):[\w/*]/, needs: ['uprobes'] },
  { tool: 'bpftrace kfunc:/fentry:', pattern: /\b(?:kfunc|kretfunc|fentry|fexit):[\w*]/, needs: ['btf'] },
  { tool: 'ktrace', pattern: /\bktrace\b/, needs: ['tracefs', 'perf-events'] },
  { tool: 'BCC (*-bpfcc)', pattern: /\b[a-z0-9]+-bpfcc\b/, needs: ['bcc-headers', 'tracefs', 'perf-events'] },
  { tool: 'libbpf-tools (CO-RE)', pattern: new RegExp(`\\b(?:${LIBBPF_TOOLS.join('|')})\\b(?!-bpfcc)`), needs: ['btf', 'perf-events'] },
  { tool: 'perf', pattern: /\bperf (?:stat|top|record|report|trace|sched|script|list|mem|lock|kmem|c2c)\b/, needs: ['perf-events'] },
  { tool: 'perf probe', pattern: /\bperf probe\b/, needs: ['kprobes', 'uprobes', 'tracefs'] },
  { tool: 'trace-cmd', pattern: /\btrace-cmd\b/, needs: ['tracefs'] },
  { tool: 'tracefs files', pattern: /\/sys\/kernel\/(?:debug\/)?tracing\b/, needs: ['tracefs'] },
  { tool: 'cgroup files', pattern: /\/sys\/fs\/cgroup\b/, needs: ['cgroups'] },
];

/** What depends on a capability besides labs. */
const OTHER: Partial<Record<CapabilityId, string[]>> = {
  chromium: ['browser tests (test/browser-*.test.ts in npm test)'],
};

type LabText = Pick<ResolvedLab, 'id' | 'title' | 'backend' | 'steps' | 'tasks' | 'setup' | 'solution' | 'selftest'>;

/** Every piece of text in a lab a learner reads or the runner runs, with where it is. */
export function labTexts(lab: LabText): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  lab.steps.forEach((s, i) => out.push({ where: `step ${i + 1} (${basename(s.file)})`, text: s.markdown }));
  for (const t of lab.tasks) {
    t.hints.forEach((h, i) => out.push({ where: `task ${t.id}, hint ${i + 1}`, text: h }));
    if (t.check) out.push({ where: `check of task ${t.id}`, text: t.check.script });
  }
  if (lab.setup) out.push({ where: 'setup script', text: lab.setup });
  out.push({ where: 'solution script', text: lab.solution.script });
  if (lab.solution.notes) out.push({ where: 'solution notes', text: lab.solution.notes });
  out.push({ where: 'self-test symptom script', text: lab.selftest.symptom });
  return out;
}

/** The tools of the table a text names. */
export function toolsIn(text: string): ToolNeed[] {
  return TOOL_NEEDS.filter((t) => t.pattern.test(text));
}

export function labAffects(labs: readonly LabText[]): Record<CapabilityId, Affects> {
  const out = Object.fromEntries(CAPABILITY_IDS.map((id) => [id, {
    labs: [] as LabDependency[],
    tools: TOOL_NEEDS.filter((t) => t.needs.includes(id)).map((t) => t.tool),
    hints: [] as LabPlace[],
    other: OTHER[id] ?? [],
  }])) as Record<CapabilityId, Affects>;
  const depend = (id: CapabilityId, d: LabDependency): void => { out[id].labs.push(d); };

  for (const lab of labs) {
    const base = { labId: lab.id, title: lab.title };
    if (lab.backend === 'vm') {
      depend('qemu', { ...base, impact: 'cannot-start', via: 'backend: vm' });
      depend('kvm', { ...base, impact: 'slower', via: 'backend: vm (KVM, else TCG)' });
      continue;
    }
    depend('docker', { ...base, impact: 'cannot-start', via: 'backend: container' });
    depend('cgroups', { ...base, impact: 'cannot-start', via: 'resources: memory, pids and CPU limits' });
    // Per capability: the tools this lab uses that need it, and where.
    const used = new Map<CapabilityId, { tools: Set<string>; places: string[] }>();
    for (const { where, text } of labTexts(lab)) {
      const tools = toolsIn(text);
      for (const id of new Set(tools.flatMap((t) => t.needs))) {
        const names = tools.filter((t) => t.needs.includes(id)).map((t) => t.tool);
        const u = used.get(id) ?? { tools: new Set<string>(), places: [] };
        names.forEach((n) => u.tools.add(n));
        u.places.push(where);
        used.set(id, u);
        out[id].hints.push({ labId: lab.id, where, tools: names });
      }
    }
    for (const [id, u] of used) {
      const via = `${[...u.tools].join(', ')} (${u.places.length} place${u.places.length > 1 ? 's' : ''}: ${u.places.slice(0, 3).join('; ')}${u.places.length > 3 ? '; …' : ''})`;
      // A container lab depends on cgroups anyway (it cannot start without them): name the use there.
      const own = out[id].labs.find((l) => l.labId === lab.id);
      if (own) own.via += `; ${via}`;
      else depend(id, { ...base, impact: 'tool-fails', via });
    }
  }
  return out;
}
