// A Node WebSocket client for a lab terminal, speaking the shared protocol:
// used by `labs start/attach`, the benchmark and the integration tests.
import WebSocket from 'ws';
import { FLOW_ACK_EVERY, INPUT_CHUNK_CHARS, type ClientMessage, type ServerMessage } from '../../common/protocol.ts';
import type { Lang } from '../../common/langs.ts';

export interface TerminalClientOptions {
  /** Runner base URL, e.g. http://127.0.0.1:7171 */
  url: string;
  sessionId: string;
  token: string;
  origin?: string;
  /** The language the runner's notices come in (English when absent). */
  lang?: Lang;
  /**
   * When output counts as processed. The default acknowledges on arrival; the CLI
   * acknowledges once stdout has taken the bytes, so a slow terminal slows the lab.
   */
  manualAck?: boolean;
}

export class TerminalClient {
  readonly ws: WebSocket;
  private unackedProcessed = 0;
  private readonly outputListeners = new Set<(chunk: Buffer) => void>();
  private readonly messageListeners = new Set<(m: ServerMessage) => void>();
  /** The runner said the lab is not reading input: input() holds it here until `input-resumed`. */
  private inputHeld: string[] | null = null;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(opts: TerminalClientOptions) {
    const wsUrl = `${opts.url.replace(/^http/, 'ws')}/api/sessions/${opts.sessionId}/terminal?token=${encodeURIComponent(opts.token)}${opts.lang ? `&lang=${opts.lang}` : ''}`;
    this.ws = new WebSocket(wsUrl, { headers: opts.origin ? { origin: opts.origin } : {}, perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    // A caller that only awaits `closed` (a refused terminal) must not leave `opened` an unhandled rejection.
    this.opened.catch(() => {});
    // Errors after the handshake (a reset connection) end in 'close', which `closed` reports; without a listener they would throw.
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        for (const l of this.outputListeners) l(buf);
        if (!opts.manualAck) this.processed(buf.length);
      } else {
        let msg: ServerMessage;
        try { msg = JSON.parse(buf.toString()) as ServerMessage; } catch { return; } // not the protocol: nothing to act on
        if (msg.type === 'input-paused') this.inputHeld ??= [];
        if (msg.type === 'input-resumed') this.releaseInput();
        for (const l of this.messageListeners) l(msg);
      }
    });
  }

  onOutput(listener: (chunk: Buffer) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  onMessage(listener: (m: ServerMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  send(msg: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** True while the runner asked to hold input (the lab is not reading). */
  get inputPaused(): boolean { return this.inputHeld !== null; }

  /** Sends input in frames the runner accepts; while the lab is not reading, holds it. */
  input(data: string): void {
    if (this.inputHeld) { this.inputHeld.push(data); return; }
    for (let i = 0; i < data.length;) {
      let end = Math.min(data.length, i + INPUT_CHUNK_CHARS);
      if (end < data.length && /[\ud800-\udbff]/.test(data[end - 1]!)) end--; // keep a surrogate pair together
      this.send({ type: 'input', data: data.slice(i, end) });
      i = end;
    }
  }
  resize(cols: number, rows: number): void { this.send({ type: 'resize', cols, rows }); }

  /** Reports processed output; acks are batched to FLOW_ACK_EVERY bytes. */
  processed(bytes: number): void {
    this.unackedProcessed += bytes;
    if (this.unackedProcessed >= FLOW_ACK_EVERY) {
      this.send({ type: 'ack', bytes: this.unackedProcessed });
      this.unackedProcessed = 0;
    }
  }

  /** Resolves when the accumulated output matches; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 10_000, since?: { text: string }): Promise<string> {
    const acc = since ?? { text: '' };
    return new Promise((resolve, reject) => {
      if (pattern.test(acc.text)) return resolve(acc.text);
      const off = this.onOutput((c) => {
        acc.text += c.toString('utf8');
        if (acc.text.length > 1_000_000) acc.text = acc.text.slice(-500_000);
        if (pattern.test(acc.text)) { clearTimeout(timer); off(); resolve(acc.text); }
      });
      const timer = setTimeout(() => { off(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; last output: ${JSON.stringify(acc.text.slice(-300))}`)); }, timeoutMs);
    });
  }

  close(): void { this.ws.close(1000); }

  private releaseInput(): void {
    const held = this.inputHeld ?? [];
    this.inputHeld = null;
    for (const d of held) this.input(d);
  }
}
