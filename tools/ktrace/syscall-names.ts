// Syscall number -> name. The tracepoint reports numbers only; the committed
// table covers x86_64 (the lab images' architecture).
import { X86_64_SYSCALLS } from './syscall-table.ts';

export type SyscallNamer = (id: number) => string;

export function syscallNamer(arch: string): SyscallNamer {
  return (id) => (arch === 'x64' ? X86_64_SYSCALLS.get(id) : undefined) ?? `syscall_${id}`;
}
