// JSON channels to a QEMU virtual machine over unix sockets:
//  - QMP, the VM's control socket (system_reset, cont, quit; events such as GUEST_PANICKED);
//  - the guest agent, qemu-ga inside the guest on a virtio-serial port (guest-exec, guest-file-*).
// Every request carries an id and replies are matched by it, so a stale reply
// (say, to a request sent just before the guest rebooted) is never taken for a new one.
import { createConnection, type Socket } from 'node:net';

export class ChannelError extends Error {
  constructor(message: string, readonly reason: 'closed' | 'timeout' | 'aborted' | 'command') { super(message); }
}

type Json = Record<string, unknown>;
interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** QEMU creates its sockets early; poll for them this often while connecting. */
const CONNECT_RETRY_MS = 50;
/** A reply line longer than this is not something QEMU or qemu-ga sends; drop the buffer. */
const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** Newline-delimited JSON over a unix socket, with id-matched requests. */
class JsonChannel {
  private socket: Socket | null = null;
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly messageListeners = new Set<(m: Json) => void>();
  private closed = false;
  private closeListeners = new Set<() => void>();

  constructor(readonly path: string, private readonly name: string) {}

  /** Connects, retrying until the socket exists and accepts, or `timeoutMs` passes. */
  async connect(timeoutMs: number, giveUp: () => string | null = () => null): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      const why = giveUp();
      if (why) throw new ChannelError(`${this.name}: ${why}`, 'aborted');
      try {
        this.socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(this.path);
          s.once('connect', () => { s.off('error', reject); resolve(s); });
          s.once('error', reject);
        });
        break;
      } catch (e) {
        lastError = (e as Error).message;
        await sleep(CONNECT_RETRY_MS);
      }
    }
    if (!this.socket) throw new ChannelError(`${this.name}: could not connect to ${this.path} within ${timeoutMs} ms (${lastError})`, 'timeout');
    const socket = this.socket;
    if (this.closed) { socket.destroy(); throw new ChannelError(`${this.name}: closed while connecting`, 'closed'); }
    socket.setEncoding('latin1'); // byte-transparent: qemu-ga's 0xFF sync delimiter must survive
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => { /* 'close' follows */ });
    socket.on('close', () => this.onClosed());
  }

  get isOpen(): boolean { return this.socket !== null && !this.closed; }

  onMessage(listener: (m: Json) => void): void { this.messageListeners.add(listener); }
  onClose(listener: () => void): void { this.closeListeners.add(listener); }

  /** Sends a command and resolves with its `return` value (rejects with its `error`). */
  request<T>(command: string, args: Json | undefined, timeoutMs: number): Promise<T> {
    if (!this.isOpen) return Promise.reject(new ChannelError(`${this.name}: not connected`, 'closed'));
    const id = `k${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ChannelError(`${this.name}: no reply to ${command} within ${timeoutMs} ms`, 'timeout'));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const msg: Json = { execute: command, id };
      if (args) msg.arguments = args;
      this.socket!.write(`${JSON.stringify(msg)}\n`, 'utf8');
    });
  }

  /** Sends raw bytes whose reply has no id (qemu-ga's guest-sync-delimited); the caller matches it. */
  sendRaw(bytes: Buffer): void {
    if (this.isOpen) this.socket!.write(bytes);
  }

  /** Fails every request in flight (the guest went away: panic, reboot). */
  abortAll(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ChannelError(`${this.name}: ${reason}`, 'aborted'));
      this.pending.delete(id);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.destroy();
    this.abortAll('channel closed');
  }

  private onClosed(): void {
    this.closed = true;
    this.abortAll('the socket closed (QEMU exited)');
    for (const l of this.closeListeners) l();
    this.closeListeners.clear();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE_BYTES) this.buffer = '';
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      // 0xFF is qemu-ga's "reset your parser" marker before a sync reply.
      const line = this.buffer.slice(0, nl).replace(/\xff/g, '').trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: Json;
      try { msg = JSON.parse(Buffer.from(line, 'latin1').toString('utf8')) as Json; } catch { continue; }
      const id = typeof msg.id === 'string' ? msg.id : null;
      const p = id ? this.pending.get(id) : undefined;
      if (p && id) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        if ('error' in msg) {
          const err = msg.error as { class?: string; desc?: string };
          p.reject(new ChannelError(`${this.name}: ${err.desc ?? err.class ?? 'command failed'}`, 'command'));
        } else {
          p.resolve(msg.return);
        }
        continue;
      }
      for (const l of this.messageListeners) l(msg);
    }
  }
}

export interface QmpEvent { event: string; data?: Record<string, unknown>; timestamp?: { seconds: number; microseconds: number } }

/** QEMU Machine Protocol client: capabilities negotiation, commands, events. */
export class QmpClient {
  private readonly channel: JsonChannel;
  private readonly eventListeners = new Set<(e: QmpEvent) => void>();

  private constructor(path: string) {
    this.channel = new JsonChannel(path, 'QMP');
    this.channel.onMessage((m) => {
      if (typeof m.event === 'string') for (const l of this.eventListeners) l(m as unknown as QmpEvent);
    });
  }

  /** Connects, reads the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string, timeoutMs: number, giveUp?: () => string | null): Promise<QmpClient> {
    const c = new QmpClient(path);
    const greeting = new Promise<void>((resolve) => c.channel.onMessage((m) => { if ('QMP' in m) resolve(); }));
    try {
      await c.channel.connect(timeoutMs, giveUp);
      await withTimeout(greeting, timeoutMs, 'QMP: no greeting from QEMU');
      await c.execute('qmp_capabilities', undefined, timeoutMs);
    } catch (e) {
      c.close(); // a QEMU that connected but never greeted must not keep the socket open
      throw e;
    }
    return c;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    return this.channel.request<T>(command, args, timeoutMs);
  }

  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Resolves with the next event of this name, or null after `timeoutMs`. */
  nextEvent(name: string, timeoutMs: number): Promise<QmpEvent | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { off(); resolve(null); }, timeoutMs);
      const off = this.onEvent((e) => { if (e.event === name) { clearTimeout(timer); off(); resolve(e); } });
    });
  }

  onClose(listener: () => void): void { this.channel.onClose(listener); }

  close(): void {
    this.eventListeners.clear();
    this.channel.close();
  }
}

export interface GuestExecStatus {
  exited: boolean;
  exitcode?: number;
  signal?: number;
  'out-data'?: string;
  'err-data'?: string;
  'out-truncated'?: boolean;
  'err-truncated'?: boolean;
}

/**
 * qemu-ga client. The host end of the virtio-serial socket stays connected
 * across guest reboots; whether an agent answers is found out with
 * guest-sync-delimited, which also flushes replies to requests sent while no
 * agent was listening.
 */
export class GuestAgent {
  private readonly channel: JsonChannel;
  private syncCounter = Math.floor(Math.random() * 1e9);
  /** Listeners for replies without an id (sync replies). */
  private readonly syncListeners = new Set<(m: Record<string, unknown>) => void>();

  constructor(path: string) {
    this.channel = new JsonChannel(path, 'guest agent');
    this.channel.onMessage((m) => { for (const l of [...this.syncListeners]) l(m); });
  }

  connect(timeoutMs: number, giveUp?: () => string | null): Promise<void> {
    return this.channel.connect(timeoutMs, giveUp);
  }

  /** True when an agent answered a sync within `timeoutMs`. */
  sync(timeoutMs: number): Promise<boolean> {
    if (!this.channel.isOpen) return Promise.resolve(false);
    const token = ++this.syncCounter;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => { clearTimeout(timer); this.syncListeners.delete(listener); resolve(ok); };
      const listener = (m: Record<string, unknown>): void => { if (m.return === token) done(true); };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.syncListeners.add(listener);
      // 0xFF first: it resets the agent's JSON parser should half a request be stuck in it.
      const request = JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id: token } });
      this.channel.sendRaw(Buffer.concat([Buffer.from([0xff]), Buffer.from(`${request}\n`, 'utf8')]));
    });
  }

  execute<T = unknown>(command: string, args: Record<string, unknown> | undefined, timeoutMs: number): Promise<T> {
    return this.channel.request<T>(command, args, timeoutMs);
  }

  /** Fails the requests in flight: their answers will never come (the guest panicked or rebooted). */
  abortAll(reason: string): void { this.channel.abortAll(reason); }

  close(): void {
    this.syncListeners.clear();
    this.channel.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ChannelError(message, 'timeout')), ms);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e as Error); });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
