import { test } from 'node:test'
import assert from 'node:assert/strict'
import { INPUT_CHUNK_CHARS, MAX_CLIENT_FRAME_BYTES, WS_CLOSE, type ServerMessage } from '../../../../runner/src/common/protocol.ts'
import { TerminalConnection, type TerminalSink } from './terminal-connection.ts'

/** The part of the browser's WebSocket the connection uses; every instance is kept for the test to drive. */
class FakeSocket {
  static readonly OPEN = 1
  static readonly all: FakeSocket[] = []
  readyState = 0
  binaryType = 'blob'
  readonly sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((ev: { data: string | ArrayBuffer }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  constructor(readonly url: string) { FakeSocket.all.push(this) }
  send(data: string): void { this.sent.push(data) }
  close(code = 1000): void { this.readyState = 3; this.onclose?.({ code, reason: '' }) }
  open(): void { this.readyState = 1; this.onopen?.() }
  receive(msg: ServerMessage): void { this.onmessage?.({ data: JSON.stringify(msg) }) }
  inputs(): string[] { return this.sent.map((s) => JSON.parse(s) as { type: string; data?: string }).filter((m) => m.type === 'input').map((m) => m.data!) }
}
;(globalThis as unknown as { WebSocket: unknown }).WebSocket = FakeSocket

const sink: TerminalSink = { write: (_d, cb) => cb?.(), reset: () => {} }
const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve() }

async function connected(events: { held?: string[]; states?: string[] } = {}): Promise<{ conn: TerminalConnection; ws: FakeSocket }> {
  const conn = new TerminalConnection(async () => 'ws://runner.test/t', sink, {
    onState: (s, d) => events.states?.push(`${s}:${d}`),
    onInputHeld: (_h, d) => events.held?.push(d),
  })
  await settle()
  const ws = FakeSocket.all[FakeSocket.all.length - 1]!
  ws.open()
  return { conn, ws }
}

test('a long paste goes out in frames the runner accepts, surrogate pairs kept whole', async () => {
  const { conn, ws } = await connected()
  const paste = `${'a'.repeat(INPUT_CHUNK_CHARS - 1)}😀${'\u0001'.repeat(INPUT_CHUNK_CHARS * 3)}`
  conn.input(paste)
  const frames = ws.inputs()
  assert.ok(frames.length > 1)
  assert.equal(frames.join(''), paste)
  assert.ok(ws.sent.every((f) => Buffer.byteLength(f) <= MAX_CLIENT_FRAME_BYTES), 'even control characters, escaped in JSON, fit a frame')
  assert.ok(frames.every((f) => !/[\ud800-\udbff]$/.test(f)), 'no frame ends in half a character')
  conn.dispose()
})

test('input is held while the runner says the lab is not reading, shown, and sent when it reads again', async () => {
  const held: string[] = []
  const { conn, ws } = await connected({ held })
  ws.receive({ type: 'input-paused' })
  conn.input('typed while paused')
  assert.deepEqual(ws.inputs(), [])
  assert.match(held.at(-1) ?? '', /not reading input/)
  ws.receive({ type: 'input-resumed' })
  assert.deepEqual(ws.inputs(), ['typed while paused'])
  assert.equal(held.at(-1), '', 'the notice goes away')
  conn.dispose()
})

test('a terminal refused because the lab has too many does not retry', async () => {
  const states: string[] = []
  const { conn, ws } = await connected({ states })
  ws.close(WS_CLOSE.tooManyViewers)
  assert.match(states.at(-1) ?? '', /^closed:/)
  conn.dispose()
})

test('focus tells the runner this terminal is the one in use; a resize sends the size', async () => {
  const { conn, ws } = await connected()
  conn.resize(150, 40)
  conn.focus()
  const frames = ws.sent.map((s) => JSON.parse(s) as { type: string })
  assert.deepEqual(frames.slice(-2), [{ type: 'resize', cols: 150, rows: 40 }, { type: 'focus' }])
  conn.dispose()
})
