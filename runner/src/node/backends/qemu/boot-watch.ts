// One boot of a lab VM, watched from the console and the guest agent: how far
// it got (for the start progress), when it is done (root logged in on the
// console and the agent answering), and — when it stalls — a message that
// names what stalled and what fixes it.
import type { Accel } from './args.ts';

export type BootResult = { ok: true } | { ok: false; message: string };

/** How far a boot got: QEMU loading the kernel, the kernel + initramfs, systemd, the console login. */
export type BootStage = 'loading' | 'kernel' | 'systemd' | 'login';

const LOGIN_MARKER = /\(automatic login\)/;
const SYSTEMD_UP = /Welcome to .*Debian/;
/** Longest console line quoted in progress and errors. */
const MAX_QUOTED_LINE = 140;

const STAGE_TEXT: Record<BootStage, string> = {
  loading: 'QEMU is loading the kernel',
  kernel: 'the kernel is starting',
  systemd: 'systemd is starting services',
  login: 'logging in on the console',
};

export class BootWatch {
  done = false;
  stage: BootStage = 'loading';
  /** The last complete console line (escapes stripped), for progress and errors. */
  lastLine = '';
  private login = false;
  private agent = false;
  private settle!: (r: BootResult) => void;
  readonly result = new Promise<BootResult>((r) => { this.settle = r; });

  constructor(readonly accel: Accel, readonly startedAt: number, private readonly buildCommand: string) {}

  /** Console bytes arrived. Returns a progress message when they are the kernel's first. */
  output(): string | null {
    if (this.stage !== 'loading') return null;
    this.stage = 'kernel';
    return 'kernel up, initramfs mounting the root disk';
  }

  /** A complete console line. Returns a progress message when it moves the boot on. */
  line(line: string): string | null {
    const text = line.trim();
    if (text) this.lastLine = text.slice(0, MAX_QUOTED_LINE);
    if (SYSTEMD_UP.test(line) && (this.stage === 'loading' || this.stage === 'kernel')) {
      this.stage = 'systemd';
      return 'systemd is starting services';
    }
    if (LOGIN_MARKER.test(line) && !this.login) {
      this.login = true;
      this.stage = 'login';
      this.check();
      return 'root logged in on the serial console';
    }
    return null;
  }

  agentUp(): void { this.agent = true; this.check(); }

  fail(message: string): void {
    if (this.done) return;
    this.done = true;
    this.settle({ ok: false, message });
  }

  /** "booting the VM (TCG): 12 s, the kernel is starting — last console line: …" */
  progressLine(now: number): string {
    const elapsed = Math.max(0, Math.round((now - this.startedAt) / 1000));
    const stage = this.login && !this.agent ? 'waiting for the guest agent' : STAGE_TEXT[this.stage];
    return `booting the VM (${this.accel.toUpperCase()}): ${elapsed} s, ${stage} — last console line: ${this.lastLine || '(none yet)'}`;
  }

  /** The error for a boot that did not finish within `limitMs`: what stalled, where, and the fix. */
  stallMessage(limitMs: number, lastLines: string): string {
    const limit = `${Math.round(limitMs / 1000)} s`;
    const rebuild = `rebuild the VM image with \`${this.buildCommand}\` and press Start again`;
    const kvmFix = 'set KDLABS_QEMU_ACCEL=tcg in the runner\'s environment, restart the runner and press Start again (the lab kernel does not boot under KVM on this host)';
    const seen = `last console lines: ${lastLines}`;
    if (this.login && !this.agent) {
      return `the VM booted and logged in, but its guest agent (qemu-ga) did not answer within ${limit}. Fix: ${rebuild} (the image's qemu-guest-agent is missing or broken). ${seen}`;
    }
    if (this.agent && !this.login) {
      return `the VM's guest agent answered, but the console login did not appear within ${limit}. Fix: ${rebuild} (its serial-getty autologin is broken). ${seen}`;
    }
    const where = this.stage === 'loading'
      ? 'the kernel printed nothing on the serial console'
      : this.stage === 'kernel'
        ? `the kernel stalled before systemd started, at "${this.lastLine}"`
        : `systemd did not reach the console login, last at "${this.lastLine}"`;
    if (this.accel === 'kvm' && this.stage !== 'systemd') {
      return `the VM (KVM) did not finish booting within ${limit}: ${where}. Fix: ${kvmFix}. ${seen}`;
    }
    const fix = this.stage === 'loading'
      ? `${rebuild}; if that does not help, reinstall QEMU: apt-get install --reinstall -y qemu-system-x86`
      : `${rebuild}; on TCG a very busy host is slow too, so stop other VMs and heavy jobs if the console was still moving`;
    return `the VM (${this.accel.toUpperCase()}) did not finish booting within ${limit}: ${where}. Fix: ${fix}. ${seen}`;
  }

  private check(): void {
    if (this.done || !this.login || !this.agent) return;
    this.done = true;
    this.settle({ ok: true });
  }
}
