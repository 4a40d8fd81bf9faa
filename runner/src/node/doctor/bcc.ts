// BCC's compiler: every `*-bpfcc` tool compiles its BPF program when it starts,
// against the running kernel's headers. BCC looks in /lib/modules/<release>/build
// (Debian's linux-headers package links it to /usr/src/linux-headers-<release>),
// then in the kernel's own copy, /sys/kernel/kheaders.tar.xz (CONFIG_IKHEADERS).
// Lab containers see the host's /lib/modules and /usr/src (container.ts).
import type { CheckOutcome } from './check.ts';
import type { HostIo } from './host-io.ts';

export const KHEADERS = '/sys/kernel/kheaders.tar.xz';
/** CO-RE twins in the lab image (package libbpf-tools) that need only BTF — not biosnoop, which attaches a kprobe. */
export const CORE_TWINS = '`runqlat`, `biolatency`, `opensnoop`, `execsnoop`, `offcputime`, `drsnoop`';
/** Debian's kernel flavours: their headers are a package away. */
const DEBIAN_KERNEL = /-(amd64|arm64|cloud-amd64|cloud-arm64|rt-amd64|rt-arm64|686|686-pae|armmp|armmp-lpae)$/;

export interface BccFacts {
  release: string;
  /** /lib/modules/<release>/build/include is a folder (BCC's first choice). */
  buildInclude: boolean;
  /** Where /lib/modules/<release>/build points, if it is a link. */
  buildLink: string | null;
  /** /usr/src/linux-headers-<release> is a folder. */
  usrSrc: boolean;
  kheaders: boolean;
  /** The kheaders module is installed (modprobe kheaders would create KHEADERS). */
  kheadersModule: boolean;
}

export function decideBcc(f: BccFacts): CheckOutcome {
  const build = `/lib/modules/${f.release}/build`;
  const usr = `/usr/src/linux-headers-${f.release}`;
  const facts = { release: f.release, build: f.buildInclude ? (f.buildLink ?? build) : null, usrSrc: f.usrSrc, kheaders: f.kheaders };
  if (f.buildInclude) return { status: 'ok', detail: `kernel headers for ${f.release} at ${f.buildLink ?? build}`, why: null, fix: null, facts };
  if (f.kheaders) return { status: 'ok', detail: `the kernel's own headers at ${KHEADERS} (CONFIG_IKHEADERS)`, why: null, fix: null, facts };
  const why = `BCC compiles each tool's BPF program at start against the running kernel's headers; there are none for ${f.release}, so every \`*-bpfcc\` tool fails with "Failed to compile BPF module". Their CO-RE twins from the libbpf-tools package (${CORE_TWINS}) and bpftrace need only BTF and work`;
  if (f.usrSrc) {
    return {
      status: 'missing', detail: `${usr} exists, but ${build} does not lead to it`, facts, why,
      fix: `mkdir -p /lib/modules/${f.release} && ln -sfn ${usr} ${build}`,
    };
  }
  if (f.kheadersModule) {
    return { status: 'missing', detail: `no ${build}; the kheaders module is installed but not loaded`, facts, why, fix: 'modprobe kheaders' };
  }
  return {
    status: 'missing', detail: `no ${build}, no ${usr}, no ${KHEADERS}`, facts, why,
    fix: DEBIAN_KERNEL.test(f.release)
      ? `apt-get install -y linux-headers-${f.release}`
      : `${f.release} is not a Debian kernel package: install its headers as ${build} (from its build tree or its vendor's headers package), or rebuild it with CONFIG_IKHEADERS=m and run \`modprobe kheaders\`; until then use the CO-RE twins (${CORE_TWINS}) or bpftrace`,
  };
}

export async function readBccFacts(io: HostIo, release: string): Promise<BccFacts> {
  const build = `/lib/modules/${release}/build`;
  const modules = await io.listDir(`/lib/modules/${release}/kernel/kernel`);
  return {
    release,
    buildInclude: await io.isDirectory(`${build}/include`),
    buildLink: await io.readLink(build),
    usrSrc: await io.isDirectory(`/usr/src/linux-headers-${release}`),
    kheaders: await io.exists(KHEADERS),
    kheadersModule: (modules ?? []).some((m) => m.startsWith('kheaders.ko')),
  };
}

export async function checkBcc(io: HostIo, release: string): Promise<CheckOutcome> {
  return decideBcc(await readBccFacts(io, release));
}
