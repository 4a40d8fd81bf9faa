// A lab shell driven over the terminal WebSocket the way a learner types into
// it, with one addition that makes each command's end visible: PROMPT_COMMAND
// prints a marker with the exit status before every prompt, and PS2 marks a
// continuation line. Both are bash's own hooks, so PATH, the profile and the
// rest of the login shell stay exactly what the learner gets.
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { TerminalClient } from '../cli/terminal-client.ts';

/** While waiting for a rebooted VM, the marker set-up is typed again this often. */
const PROBE_EVERY_MS = 5000;

export type LineEnd =
  | { kind: 'done'; status: number; output: string }
  | { kind: 'more' }
  | { kind: 'panic'; output: string }
  | { kind: 'timeout'; output: string };

export class MarkedShell {
  private text = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly waiters = new Set<() => void>();
  private nonce = '';
  private rc!: RegExp;
  private more!: RegExp;
  /** Why the runner closed the terminal (the lab failed or stopped); nothing more will come, so no wait goes on. */
  closedBy: string | null = null;

  constructor(private readonly client: TerminalClient) {
    client.onOutput((chunk) => {
      this.text += this.decoder.write(chunk);
      this.wake();
    });
    client.closed.then(({ code, reason }) => {
      this.closedBy = `the runner closed the terminal (${code}${reason ? `: ${reason}` : ''})`;
      this.wake();
    }, () => { /* `closed` only resolves */ });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Everything the terminal printed since the walkthrough connected. */
  get transcript(): string { return this.text; }

  /**
   * Sets the markers up in the shell that is there now; resolves with `stty size`
   * as the shell reports it, or null when no prompt answered within `ms`.
   */
  async install(ms: number): Promise<string | null> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.closedBy) {
      this.renew();
      const from = this.text.length;
      // Ctrl-U first: whatever sits on the line (a VM console's noise) is not run.
      // The quotes split each marker, so the echo of this line never matches it.
      this.client.input(`\x15 PROMPT_COMMAND='printf "\\n__KD""_RC_${this.nonce}_%d__\\n" $?'; PS2='__KD''_MORE_${this.nonce}__> '; stty size\r`);
      const end = await this.waitLine(from, Math.min(PROBE_EVERY_MS, until - Date.now()), false);
      if (end.kind === 'done') return /(\d+ \d+)\s*$/.exec(end.output.trim())?.[1] ?? '';
    }
    return null;
  }

  /** Types one line (Enter included) and waits until the shell prompts again, asks for more, panics, or `ms` pass. */
  async typeLine(line: string, ms: number, watchPanic: boolean): Promise<LineEnd> {
    const from = this.text.length;
    this.client.input(`${line}\r`);
    return this.waitLine(from, ms, watchPanic);
  }

  /** Sends keys (Ctrl-C, a tool's quit key) to whatever runs, and waits for the prompt. */
  async sendAndWait(keys: string, from: number, ms: number): Promise<LineEnd> {
    this.client.input(keys);
    return this.waitLine(from, ms, false);
  }

  get position(): number { return this.text.length; }

  private renew(): void {
    this.nonce = randomBytes(4).toString('hex');
    this.rc = new RegExp(`\\n__KD_RC_${this.nonce}_(\\d+)__`);
    this.more = new RegExp(`__KD_MORE_${this.nonce}__> `);
  }

  private waitLine(from: number, ms: number, watchPanic: boolean): Promise<LineEnd> {
    return new Promise((resolve) => {
      const look = (): boolean => {
        const seen = this.text.slice(from);
        const rc = this.rc.exec(seen);
        const more = this.more.exec(seen);
        const panic = watchPanic ? /Kernel panic - not syncing/.exec(seen) : null;
        const first = [rc, more, panic].filter((m): m is RegExpExecArray => m !== null).sort((a, b) => a.index - b.index)[0];
        if (!first) {
          if (!this.closedBy) return false;
          resolve({ kind: 'timeout', output: seen });
          return true;
        }
        const output = seen.slice(0, first.index);
        if (first === rc) resolve({ kind: 'done', status: Number(rc[1]), output });
        else if (first === more) resolve({ kind: 'more' });
        else resolve({ kind: 'panic', output });
        return true;
      };
      if (look()) return;
      const waiter = (): void => { if (look()) { clearTimeout(timer); this.waiters.delete(waiter); } };
      const timer = setTimeout(() => { this.waiters.delete(waiter); resolve({ kind: 'timeout', output: this.text.slice(from) }); }, Math.max(0, ms));
      this.waiters.add(waiter);
    });
  }
}
