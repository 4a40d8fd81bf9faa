// One boot of a lab VM, watched from the console and the guest agent: how far
// it got (for the start progress), when it is done (root logged in on the
// console and the agent answering), and — when it stalls — a message that
// names what stalled and what fixes it.
import type { Accel } from './args.ts';
import type { Words } from '../../../common/langs.ts';

export type BootResult = { ok: true } | { ok: false; message: string };

/** How far a boot got: QEMU loading the kernel, the kernel + initramfs, systemd, the console login. */
export type BootStage = 'loading' | 'kernel' | 'systemd' | 'login';

const LOGIN_MARKER = /\(automatic login\)/;
const SYSTEMD_UP = /Welcome to .*Debian/;
/** The kernel's hung-task report: in the initramfs it means the root disk's I/O stalled, and waiting longer will not help. */
const HUNG_TASK = /INFO: task \S+ blocked for more than \d+ seconds/;
/** Longest console line quoted in progress and errors. */
const MAX_QUOTED_LINE = 140;

const STAGE_TEXT: Record<BootStage, Words> = {
  loading: { en: 'QEMU is loading the kernel', ko: 'QEMU가 커널을 읽어 들이는 중' },
  kernel: { en: 'the kernel is starting', ko: '커널이 시작하는 중' },
  systemd: { en: 'systemd is starting services', ko: 'systemd가 서비스를 시작하는 중' },
  login: { en: 'logging in on the console', ko: '콘솔에 로그인하는 중' },
};
const WAITING_FOR_AGENT: Words = { en: 'waiting for the guest agent', ko: '게스트 에이전트를 기다리는 중' };

export class BootWatch {
  done = false;
  stage: BootStage = 'loading';
  /** The last complete console line (escapes stripped), for progress and errors. */
  lastLine = '';
  private login = false;
  private agent = false;
  private settle!: (r: BootResult) => void;
  readonly result = new Promise<BootResult>((r) => { this.settle = r; });

  /**
   * `retryable`: the caller resets the VM when this boot fails (a boot after a panic), so
   * a hung root disk in the initramfs ends the boot at once rather than at the time limit.
   */
  constructor(readonly accel: Accel, readonly startedAt: number, private readonly buildCommand: string, private readonly retryable = false) {}

  /** Console bytes arrived. Returns a progress message when they are the kernel's first. */
  output(): Words | null {
    if (this.stage !== 'loading') return null;
    this.stage = 'kernel';
    return { en: 'kernel up, initramfs mounting the root disk', ko: '커널이 올라왔고 initramfs가 루트 디스크를 마운트하는 중' };
  }

  /** A complete console line. Returns a progress message when it moves the boot on. */
  line(line: string): Words | null {
    const text = line.trim();
    if (text) this.lastLine = text.slice(0, MAX_QUOTED_LINE);
    if (this.retryable && this.stage === 'kernel' && HUNG_TASK.test(line)) {
      this.fail(`the VM stalled in the initramfs before mounting its root disk (the kernel reports: ${this.lastLine})`);
      return null;
    }
    if (SYSTEMD_UP.test(line) && (this.stage === 'loading' || this.stage === 'kernel')) {
      this.stage = 'systemd';
      return STAGE_TEXT.systemd;
    }
    if (LOGIN_MARKER.test(line) && !this.login) {
      this.login = true;
      this.stage = 'login';
      this.check();
      return { en: 'root logged in on the serial console', ko: 'root가 시리얼 콘솔에 로그인함' };
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
  progressLine(now: number): Words {
    const elapsed = Math.max(0, Math.round((now - this.startedAt) / 1000));
    const stage = this.login && !this.agent ? WAITING_FOR_AGENT : STAGE_TEXT[this.stage];
    const accel = this.accel.toUpperCase();
    return {
      en: `booting the VM (${accel}): ${elapsed} s, ${stage.en} — last console line: ${this.lastLine || '(none yet)'}`,
      ko: `VM 부팅 중 (${accel}): ${elapsed}초, ${stage.ko} — 마지막 콘솔 줄: ${this.lastLine || '(아직 없음)'}`,
    };
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
