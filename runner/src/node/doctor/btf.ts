// BTF: the kernel's own type information, which CO-RE tools (libbpf-tools,
// ktrace's bpftrace programs with struct access) need instead of headers.
import type { CheckOutcome } from './check.ts';
import type { HostIo, IoResult } from './host-io.ts';

export const BTF_VMLINUX = '/sys/kernel/btf/vmlinux';
/** BTF header magic 0xeB9F, little-endian on disk (x86, arm64). */
const BTF_MAGIC = [0x9f, 0xeb] as const;

export function decideBtf(head: IoResult<Uint8Array>, size: number | null, uid: number): CheckOutcome {
  const facts = { path: BTF_VMLINUX, bytes: size };
  if (!head.ok) {
    if (head.code === 'ENOENT') {
      return {
        status: 'missing', detail: `no ${BTF_VMLINUX}`, facts,
        why: 'the kernel was built without CONFIG_DEBUG_INFO_BTF: the CO-RE libbpf-tools (runqlat, biolatency, opensnoop…), bpftrace kfunc: probes and struct access fail',
        fix: 'boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (every Debian kernel since Debian 11 has it): apt-get install -y linux-image-amd64, then reboot into it',
      };
    }
    return {
      status: 'degraded', detail: `${BTF_VMLINUX} exists`, facts,
      why: `it cannot be read (${head.code}) by uid ${uid}; the runner and the labs run as root`,
      fix: 'run the runner and `labs doctor` as root',
    };
  }
  if (head.value[0] !== BTF_MAGIC[0] || head.value[1] !== BTF_MAGIC[1]) {
    return {
      status: 'degraded', detail: `${BTF_VMLINUX} exists`, facts,
      why: 'it does not start with the BTF magic 0xeB9F: tools will refuse it',
      fix: null,
    };
  }
  const mb = size ? `, ${(size / 1024 / 1024).toFixed(1)} MiB` : '';
  return { status: 'ok', detail: `${BTF_VMLINUX} readable${mb}`, why: null, fix: null, facts };
}

export async function checkBtf(io: HostIo, uid: number): Promise<CheckOutcome> {
  return decideBtf(await io.readHead(BTF_VMLINUX, 4), await io.size(BTF_VMLINUX), uid);
}
