// Which labs give their learner root on the host. A container lab runs as root
// in the host's own user namespace; some capabilities (and the confinement the
// runner turns off for them) let that root leave the container or read the
// kernel's memory. Workshops refuse such labs unless the instructor says
// otherwise (`--allow-host-root-labs`); the instructor page shows the reasons.

/** A capability that is as good as host root, and what it lets a learner do. */
const HOST_ROOT_CAPABILITIES: Readonly<Record<string, string>> = {
  SYS_ADMIN: 'SYS_ADMIN: mount file systems (a private /proc/sys makes host-wide sysctls writable) and load eBPF programs that read kernel memory',
  BPF: 'BPF: eBPF programs read any kernel memory, other learners\' processes included',
};

/** Why the container the runner makes for this lab is host-root-equivalent; empty when it is not. */
export function hostRootReasons(lab: { backend: 'container' | 'vm'; capabilities: readonly string[] }): string[] {
  if (lab.backend !== 'container') return [];
  const reasons = lab.capabilities.flatMap((c) => HOST_ROOT_CAPABILITIES[c] ?? []);
  if (appArmorOff(lab.capabilities)) reasons.push('AppArmor is off (its docker-default profile is not proven to leave the lab\'s tools working)');
  return reasons;
}

/**
 * Docker's default seccomp profile stays on in every lab: with SYS_ADMIN it allows bpf,
 * perf_event_open, mount and unshare (measured: bpftrace, perf and strace work), and it
 * still refuses keyctl, kexec_load, reboot and the rest. AppArmor's docker-default profile
 * is turned off for SYS_ADMIN labs: no test host enforces AppArmor, so nothing shows the
 * tools still work under it.
 */
export function appArmorOff(capabilities: readonly string[]): boolean {
  return capabilities.includes('SYS_ADMIN');
}

/** The one sentence a refusal and the instructor page use to say what the flag means. */
export const HOST_ROOT_MEANING =
  'each learner is root on the machine that runs the runner: they can read and change everything on it, including other learners\' labs and the grades';

/** The same sentence for the instructor page, in each language it is read in. */
export const HOST_ROOT_MEANING_IN = {
  en: HOST_ROOT_MEANING,
  ko: '학습자 한 사람 한 사람이 러너가 도는 머신의 root가 됩니다. 다른 학습자의 실습과 성적을 포함해 그 머신의 모든 것을 읽고 바꿀 수 있습니다',
} as const;
