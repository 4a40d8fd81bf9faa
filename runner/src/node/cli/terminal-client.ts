// A Node WebSocket client for a lab terminal, speaking the shared protocol:
// used by `labs start/attach`, the benchmark and the integration tests.
import WebSocket from 'ws';
import { FLOW_ACK_EVERY, type ClientMessage, type ServerMessage } from '../../common/protocol.ts';

export interface TerminalClientOptions {
  /** Runner base URL, e.g. http://127.0.0.1:7171 */
  url: string;
  sessionId: string;
  token: string;
  origin?: string;
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
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(private readonly opts: TerminalClientOptions) {
    const wsUrl = `${opts.url.replace(/^http/, 'ws')}/api/sessions/${opts.sessionId}/terminal?token=${encodeURIComponent(opts.token)}`;
    this.ws = new WebSocket(wsUrl, { headers: opts.origin ? { origin: opts.origin } : {}, perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        for (const l of this.outputListeners) l(buf);
        if (!opts.manualAck) this.processed(buf.length);
      } else {
        const msg = JSON.parse(buf.toString()) as ServerMessage;
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

  input(data: string): void { this.send({ type: 'input', data }); }
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
}
