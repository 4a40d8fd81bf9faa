// The browser side of a lab terminal's WebSocket: the shared protocol, flow
// control as the xterm.js guide describes it (acknowledge what the terminal has
// written, in batches), and reconnecting to the same shell after a drop.
import {
  FLOW_ACK_EVERY, WS_CLOSE, type ClientMessage, type ServerMessage,
} from '../../../../runner/src/common/protocol.ts'

/** The part of an xterm.js Terminal this connection drives. */
export interface TerminalSink {
  write(data: string | Uint8Array, callback?: () => void): void
  reset(): void
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface ConnectionEvents {
  onState(state: ConnectionState, detail: string): void
  onMessage?(message: ServerMessage): void
}

/** First reconnect delay; doubled each failed try up to the maximum, so a restarting runner is not hammered. */
const RECONNECT_FIRST_MS = 300
const RECONNECT_MAX_MS = 5000
/** Close codes after which reconnecting cannot help: the session is gone or we may not see it. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([WS_CLOSE.notFound, WS_CLOSE.sessionStopped, WS_CLOSE.unauthorized, WS_CLOSE.forbiddenOrigin])

export class TerminalConnection {
  private ws: WebSocket | null = null
  private unacked = 0
  private delay = RECONNECT_FIRST_MS
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private disposed = false
  private lastSize: { cols: number; rows: number } | null = null

  constructor(
    private readonly url: () => Promise<string>,
    private readonly term: TerminalSink,
    private readonly events: ConnectionEvents,
  ) {
    void this.connect('connecting')
  }

  input(data: string): void { this.send({ type: 'input', data }) }

  resize(cols: number, rows: number): void {
    this.lastSize = { cols, rows }
    this.send({ type: 'resize', cols, rows })
  }

  /** Drops the socket now and connects again (used after a lab reset, and by tests). */
  reconnect(): void {
    this.ws?.close(1000)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.ws?.close(1000)
    this.ws = null
  }

  private async connect(state: ConnectionState): Promise<void> {
    if (this.disposed) return
    this.events.onState(state, state === 'connecting' ? 'connecting to the lab…' : 'connection lost; reconnecting…')
    let url: string
    try { url = await this.url() } catch (e) { return this.retry(String((e as Error).message)) }
    if (this.disposed) return
    const ws = new WebSocket(url)
    ws.binaryType = 'arraybuffer'
    this.ws = ws
    this.unacked = 0
    ws.onopen = () => {
      this.delay = RECONNECT_FIRST_MS
      this.events.onState('open', '')
      if (this.lastSize) this.send({ type: 'resize', ...this.lastSize })
    }
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      if (typeof ev.data !== 'string') return this.output(new Uint8Array(ev.data))
      let msg: ServerMessage
      try { msg = JSON.parse(ev.data) as ServerMessage } catch { return }
      // The runner's copy of the screen: start from it, so a reload shows the same shell.
      if (msg.type === 'screen') { this.term.reset(); this.term.write(msg.data) }
      // A reset starts a new shell on a clean screen (the runner's copy is cleared too).
      if (msg.type === 'state' && msg.state === 'restarting') this.term.reset()
      this.events.onMessage?.(msg)
    }
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      this.ws = null
      if (this.disposed) return
      if (FINAL_CLOSE_CODES.has(ev.code)) {
        this.events.onState('closed', ev.reason || 'the lab session has ended')
        return
      }
      this.retry(ev.reason || 'connection lost')
    }
  }

  private retry(why: string): void {
    if (this.disposed) return
    this.events.onState('reconnecting', `${why}; reconnecting…`)
    this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.connect('reconnecting') }, this.delay)
    this.delay = Math.min(this.delay * 2, RECONNECT_MAX_MS)
  }

  /** Writes output; acknowledges it once xterm.js has parsed it, so a busy tab slows the lab, not the runner. */
  private output(bytes: Uint8Array): void {
    const ws = this.ws
    this.term.write(bytes, () => {
      if (ws !== this.ws) return
      this.unacked += bytes.length
      if (this.unacked >= FLOW_ACK_EVERY) {
        this.send({ type: 'ack', bytes: this.unacked })
        this.unacked = 0
      }
    })
  }

  private send(msg: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg))
  }
}
