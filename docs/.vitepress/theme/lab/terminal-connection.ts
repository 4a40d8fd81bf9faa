// The browser side of a lab terminal's WebSocket: the shared protocol, flow
// control as the xterm.js guide describes it (acknowledge what the terminal has
// written, in batches), input held while the lab is not reading it (the runner
// says so), and reconnecting to the same shell after a drop.
import {
  FLOW_ACK_EVERY, INPUT_CHUNK_CHARS, WS_CLOSE, type ClientMessage, type ServerMessage,
} from '../../../../runner/src/common/protocol.ts'
import type { Lang } from '../../../../runner/src/common/langs.ts'

/** The part of an xterm.js Terminal this connection drives. */
export interface TerminalSink {
  write(data: string | Uint8Array, callback?: () => void): void
  reset(): void
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface ConnectionOptions {
  /** The language of what the connection tells the learner (its `detail`s); English by default. */
  lang?: Lang
}

export interface ConnectionEvents {
  onState(state: ConnectionState, detail: string): void
  onMessage?(message: ServerMessage): void
  /** The lab stopped (or started again) reading input; `detail` is for the learner, empty when reading. */
  onInputHeld?(held: boolean, detail: string): void
}

// What the terminal and its connection tell the learner, in each language (the
// pattern of ui-text.ts, which re-exports it; LabTerminal.vue reads it too).
const terminalEn = {
  connecting: 'connecting to the lab…',
  lostReconnecting: 'connection lost; reconnecting…',
  reconnecting: (why: string) => `${why}; reconnecting…`,
  ended: 'the lab session has ended',
  connectionLost: 'connection lost',
  inputHeld: 'the lab is not reading input; what you type is held until it does',
  inputDropped: 'the lab is not reading input and this tab holds all it will; further typing is dropped',
  label: 'Lab terminal',
  help: 'Tab completes in the shell. Press Escape then Tab to leave the terminal, Escape then Shift+Tab to go back. '
    + 'Control+Shift+Enter maximises or restores the terminal; Control+Equals and Control+Minus change its font size, Control+0 resets it.',
}

export type TerminalText = typeof terminalEn

const terminalKo: TerminalText = {
  connecting: '실습에 연결하는 중…',
  lostReconnecting: '연결이 끊겼습니다. 다시 연결하는 중…',
  reconnecting: (why) => `${why}; 다시 연결하는 중…`,
  ended: '실습 세션이 끝났습니다',
  connectionLost: '연결이 끊김',
  inputHeld: '실습이 입력을 읽지 않고 있습니다. 입력한 내용은 실습이 읽을 때까지 보관됩니다',
  inputDropped: '실습이 입력을 읽지 않고 있고 이 탭이 보관할 수 있는 양을 넘었습니다. 더 입력한 내용은 버려집니다',
  label: '실습 터미널',
  help: 'Tab은 셸에서 자동 완성합니다. 터미널에서 나가려면 Escape 다음 Tab을, 되돌아가려면 Escape 다음 Shift+Tab을 누르십시오. '
    + 'Control+Shift+Enter는 터미널을 최대화하거나 원래 크기로 되돌리고, Control+Equals와 Control+Minus는 글꼴 크기를 바꾸며, Control+0은 글꼴 크기를 처음대로 되돌립니다.',
}

export const TERMINAL_TEXT: Record<Lang, TerminalText> = { en: terminalEn, ko: terminalKo }

/** First reconnect delay; doubled each failed try up to the maximum, so a restarting runner is not hammered. */
const RECONNECT_FIRST_MS = 300
const RECONNECT_MAX_MS = 5000
/** Close codes after which reconnecting cannot help: the session is gone or we may not see it. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  WS_CLOSE.notFound, WS_CLOSE.sessionStopped, WS_CLOSE.unauthorized, WS_CLOSE.forbiddenOrigin, WS_CLOSE.tooManyViewers,
])
/** Input held while the lab does not read: a long paste fits; beyond it, keys are dropped (and the learner told) rather than growing the tab without end. */
const HELD_INPUT_MAX_CHARS = 4 * 1024 * 1024

export class TerminalConnection {
  private ws: WebSocket | null = null
  private unacked = 0
  private delay = RECONNECT_FIRST_MS
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private disposed = false
  private lastSize: { cols: number; rows: number } | null = null
  /** Input typed while the runner asked to hold it; null while the lab reads. */
  private held: string[] | null = null
  private heldChars = 0
  /** What the learner reads, in the page's language. */
  private readonly text: TerminalText

  constructor(
    private readonly url: () => Promise<string>,
    private readonly term: TerminalSink,
    private readonly events: ConnectionEvents,
    options: ConnectionOptions = {},
  ) {
    this.text = TERMINAL_TEXT[options.lang ?? 'en']
    void this.connect('connecting')
  }

  /** Sends typed or pasted input in frames the runner accepts; holds it while the lab is not reading. */
  input(data: string): void {
    if (this.held) {
      if (this.heldChars + data.length > HELD_INPUT_MAX_CHARS) {
        this.events.onInputHeld?.(true, this.text.inputDropped)
        return
      }
      this.held.push(data)
      this.heldChars += data.length
      return
    }
    for (let i = 0; i < data.length;) {
      let end = Math.min(data.length, i + INPUT_CHUNK_CHARS)
      if (end < data.length && /[\ud800-\udbff]/.test(data[end - 1]!)) end-- // keep a surrogate pair together
      this.send({ type: 'input', data: data.slice(i, end) })
      i = end
    }
  }

  resize(cols: number, rows: number): void {
    this.lastSize = { cols, rows }
    this.send({ type: 'resize', cols, rows })
  }

  /**
   * The learner is using this terminal (it or its tab gained focus): the runner gives the
   * shell this terminal's size, so a smaller viewer elsewhere does not keep it small.
   */
  focus(): void {
    this.send({ type: 'focus' })
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
    this.events.onState(state, state === 'connecting' ? this.text.connecting : this.text.lostReconnecting)
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
      // A new connection starts reading again: send what was held (the runner says if it still cannot take it).
      this.release()
    }
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      if (typeof ev.data !== 'string') return this.output(new Uint8Array(ev.data))
      let msg: ServerMessage
      try { msg = JSON.parse(ev.data) as ServerMessage } catch { return }
      // The runner's copy of the screen: start from it, so a reload shows the same shell.
      if (msg.type === 'screen') { this.term.reset(); this.term.write(msg.data) }
      // A reset starts a new shell on a clean screen (the runner's copy is cleared too).
      if (msg.type === 'state' && msg.state === 'restarting') this.term.reset()
      if (msg.type === 'input-paused' && !this.held) {
        this.held = []
        this.events.onInputHeld?.(true, this.text.inputHeld)
      }
      if (msg.type === 'input-resumed') this.release()
      this.events.onMessage?.(msg)
    }
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      this.ws = null
      if (this.disposed) return
      if (FINAL_CLOSE_CODES.has(ev.code)) {
        this.events.onState('closed', ev.reason || this.text.ended)
        return
      }
      this.retry(ev.reason || this.text.connectionLost)
    }
  }

  private release(): void {
    const held = this.held
    if (!held) return
    this.held = null
    this.heldChars = 0
    this.events.onInputHeld?.(false, '')
    for (const d of held) this.input(d)
  }

  private retry(why: string): void {
    if (this.disposed) return
    this.events.onState('reconnecting', this.text.reconnecting(why))
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
