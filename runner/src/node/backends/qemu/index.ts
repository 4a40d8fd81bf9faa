// The QEMU backend's public face: the backend, the accelerator decision
// (`labs doctor` shows it), and the exit code of a command a panic cut short.
export { QemuBackend, BOOT_TIMEOUT_MS, type QemuBackendOptions } from './qemu-backend.ts';
export { decideAccel, type AccelDecision } from './accel-probe.ts';
export { EXIT_VM_RESTARTED } from './guest-exec.ts';
export type { Accel } from './args.ts';
