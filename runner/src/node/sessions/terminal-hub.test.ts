import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS, type ServerMessage } from '../../common/protocol.ts';
import type { ShellStream, TermSize } from '../backends/lab-backend.ts';
import type { ScreenCopy } from './screen-mirror.ts';
import {
  INPUT_PAUSE_BYTES, INPUT_RESUME_BYTES, INPUT_STOP_READING_BYTES, MAX_VIEWERS_PER_SESSION, RESIZE_COALESCE_MS,
  TerminalHub, type TerminalViewer, type ViewerHandle,
} from './terminal-hub.ts';
import { FLOW_HIGH_WATERMARK } from '../../common/protocol.ts';
import { verbatim } from '../../common/langs.ts';

/** Lets queued promise callbacks and immediates (screens go out one per turn) run. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A shell whose reading the test controls: `reading = false` makes write() report a full pipe. */
class FakeShell implements ShellStream {
  reading = true;
  readonly written: string[] = [];
  readonly resizes: TermSize[] = [];
  paused = false;
  disposed = false;
  private data: Array<(c: Buffer) => void> = [];
  private exits: Array<() => void> = [];
  private drains: Array<() => void> = [];
  write(data: string | Buffer): boolean { this.written.push(String(data)); return this.reading; }
  onDrain(l: () => void): void { this.drains.push(l); }
  async resize(size: TermSize): Promise<void> { this.resizes.push(size); }
  onData(l: (c: Buffer) => void): void { this.data.push(l); }
  onExit(l: () => void): void { this.exits.push(l); }
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
  dispose(): void { this.disposed = true; }
  emit(text: string): void { for (const l of this.data) l(Buffer.from(text)); }
  drain(): void { this.reading = true; for (const l of this.drains) l(); }
  exit(): void { for (const l of this.exits) l(); }
  get writtenBytes(): number { return this.written.reduce((n, s) => n + Buffer.byteLength(s), 0); }
}

/** A screen copy that records resizes; a snapshot is the text written so far. */
class FakeScreen implements ScreenCopy {
  readonly resizes: TermSize[] = [];
  text = '';
  snapshots = 0;
  write(chunk: Uint8Array): void { this.text += Buffer.from(chunk).toString(); }
  resize(size: TermSize): void { this.resizes.push(size); }
  clear(): void { this.text = ''; }
  snapshot(onParsed: (screen: string) => void): void {
    this.snapshots++;
    const screen = this.text;
    queueMicrotask(() => onParsed(screen));
  }
  dispose(): void {}
}

class FakeViewer implements TerminalViewer {
  readonly messages: ServerMessage[] = [];
  output = '';
  buffered = 0;
  reading = true;
  /** Message types and 'output', in the order they were sent. */
  readonly log: string[] = [];
  sendOutput(chunk: Buffer): void { this.output += chunk.toString(); this.log.push('output'); }
  sendMessage(message: ServerMessage): void { this.messages.push(message); this.log.push(message.type); }
  bufferedAmount(): number { return this.buffered; }
  pauseInput(): void { this.reading = false; }
  resumeInput(): void { this.reading = true; }
  types(): string[] { return this.messages.map((m) => m.type); }
}

function setup(opts: { openShell?: () => Promise<FakeShell> } = {}) {
  const shells: FakeShell[] = [];
  const screen = new FakeScreen();
  const hub = new TerminalHub(async () => {
    const shell = opts.openShell ? await opts.openShell() : new FakeShell();
    shells.push(shell);
    return { ok: true, value: shell };
  }, { createScreen: () => screen });
  const attach = (v = new FakeViewer()): { viewer: FakeViewer; handle: ViewerHandle } => {
    const r = hub.attach(v);
    assert.ok(r.ok, 'attached');
    return { viewer: v, handle: r.value };
  };
  return { hub, shells, screen, attach };
}

const FRAME = 'x'.repeat(60 * 1024);

test('input to a shell that does not read is held in a bounded queue; viewers are told, then not read', async () => {
  const { hub, shells, attach } = setup();
  const a = attach(), b = attach();
  await settle();
  const shell = shells[0]!;
  shell.reading = false; // `stty -echo; sleep 600`: nothing reads the TTY
  // A client floods 300 MB, frame after frame, for as long as the runner reads it.
  let sent = 0;
  while (a.viewer.reading && sent < 300 * 1024 * 1024) { a.handle.input(FRAME); sent += FRAME.length; }
  assert.equal(shell.written.length, 1, 'nothing more is handed to a shell whose write returned false');
  assert.ok(a.viewer.types().includes('input-paused') && b.viewer.types().includes('input-paused'), 'every viewer is told');
  assert.equal(a.viewer.reading, false, 'the flooding viewer is not read any more');
  assert.equal(b.viewer.reading, true, 'a viewer that sent nothing is still read');
  assert.ok(hub.pendingInputBytes <= INPUT_STOP_READING_BYTES + FRAME.length, `held ${hub.pendingInputBytes} bytes`);
  assert.ok(sent < 300 * 1024 * 1024, 'the flood was stopped, not swallowed');
  assert.ok(INPUT_PAUSE_BYTES < INPUT_STOP_READING_BYTES && INPUT_RESUME_BYTES < INPUT_PAUSE_BYTES);

  // The lab reads again: everything held goes in, in order, and viewers may send again.
  shell.drain();
  assert.equal(hub.pendingInputBytes, 0);
  assert.equal(shell.writtenBytes, sent);
  assert.equal(a.viewer.reading, true);
  assert.deepEqual(a.viewer.types().filter((t) => t.startsWith('input-')), ['input-paused', 'input-resumed']);
  assert.deepEqual(b.viewer.types().filter((t) => t.startsWith('input-')), ['input-paused', 'input-resumed']);
});

test('a shell draining slowly is fed as it drains; resume comes once below the low mark', async () => {
  const { hub, shells, attach } = setup();
  const a = attach();
  await settle();
  const shell = shells[0]!;
  shell.reading = false;
  a.handle.input('first');
  for (let i = 0; i < Math.ceil(INPUT_PAUSE_BYTES / FRAME.length) + 1; i++) a.handle.input(FRAME);
  assert.ok(a.viewer.types().includes('input-paused'));
  // The shell takes one chunk per drain and then is full again.
  shell.write = function (data) { this.written.push(String(data)); return false; };
  let drains = 0;
  while (hub.pendingInputBytes > INPUT_RESUME_BYTES) {
    assert.ok(!a.viewer.types().includes('input-resumed'), 'still paused above the low mark');
    shell.drain();
    drains++;
  }
  assert.ok(a.viewer.types().includes('input-resumed'));
  assert.equal(shell.written[0], 'first', 'order is kept');
  assert.ok(drains > 1);
});

test('a viewer that is not read does not hold output back by its missing acks', async () => {
  const { hub, shells, attach } = setup();
  const a = attach();
  await settle();
  const shell = shells[0]!;
  shell.reading = false;
  while (a.viewer.reading) a.handle.input(FRAME);
  // The shell echoes (say `cat`): without acks from the paused viewer output would stop,
  // the shell would block writing, never read, and input would never drain.
  shell.emit('y'.repeat(FLOW_HIGH_WATERMARK * 2));
  assert.equal(shell.paused, false, 'output keeps flowing to a viewer we stopped reading');
  a.viewer.buffered = FLOW_HIGH_WATERMARK * 2;
  shell.emit('z');
  assert.equal(shell.paused, true, 'its socket backlog still pauses output');
  hub.dispose();
});

test('input held for a shell that exits is dropped, and viewers may send again', async () => {
  const { hub, shells, attach } = setup();
  const a = attach();
  await settle();
  shells[0]!.reading = false;
  while (a.viewer.reading) a.handle.input(FRAME);
  shells[0]!.exit();
  assert.equal(hub.pendingInputBytes, 0);
  assert.equal(a.viewer.reading, true);
  assert.ok(a.viewer.types().includes('input-resumed'));
  // The next key opens a new shell and goes to it.
  a.handle.input('ls\r');
  await settle();
  assert.equal(shells.length, 2);
  assert.deepEqual(shells[1]!.written, ['ls\r']);
});

test('a viewer attaching while input is paused is told after its screen', async () => {
  const { hub, shells, attach } = setup();
  const a = attach();
  await settle();
  shells[0]!.reading = false;
  while (!a.viewer.types().includes('input-paused')) a.handle.input(FRAME);
  const late = attach();
  await settle();
  assert.deepEqual(late.viewer.types().slice(0, 2), ['screen', 'input-paused']);
  hub.dispose();
});

test('a resize storm is coalesced: the last size per window, only when it changed, within bounds', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { hub, shells, screen, attach } = setup();
  const a = attach();
  await settle();
  const shell = shells[0]!;
  // 500 frames alternating 2×1 and 1000×500 within 49 ms.
  for (let i = 0; i < 500; i++) {
    a.handle.resize(i % 2 === 0 ? { cols: 2, rows: 1 } : { cols: 1000, rows: 500 });
    if (i % 10 === 9) t.mock.timers.tick(1);
  }
  assert.equal(screen.resizes.length, 1, 'the first size is applied at once, the rest wait for the window');
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(screen.resizes, [{ cols: 2, rows: 1 }, { cols: 1000, rows: 500 }]);
  await settle();
  assert.deepEqual(shell.resizes, screen.resizes, 'the backend is called for applied sizes only');
  assert.deepEqual(hub.termSize, { cols: 1000, rows: 500 });
  // Nothing changed: no reflow, no backend call.
  t.mock.timers.tick(RESIZE_COALESCE_MS * 5);
  a.handle.resize({ cols: 1000, rows: 500 });
  t.mock.timers.tick(RESIZE_COALESCE_MS * 5);
  assert.equal(screen.resizes.length, 2);
  // Out-of-range sizes (from callers that skip the schema) are clamped.
  a.handle.resize({ cols: 5000, rows: 0 });
  assert.deepEqual(hub.termSize, { cols: MAX_COLS, rows: MIN_ROWS });
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  a.handle.resize({ cols: -3, rows: Number.NaN });
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, { cols: MIN_COLS, rows: MIN_ROWS });
  assert.ok(MAX_ROWS >= MIN_ROWS);
  hub.dispose();
});

test('backend resizes go one at a time, so a slow one cannot land after a later one', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { hub, shells, attach } = setup();
  const a = attach();
  await settle();
  const shell = shells[0]!;
  const calls: Array<{ size: TermSize; done: () => void }> = [];
  shell.resize = (size) => new Promise<void>((done) => { calls.push({ size, done }); });
  a.handle.resize({ cols: 2, rows: 1 });
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  a.handle.resize({ cols: 1000, rows: 500 });
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  a.handle.resize({ cols: 80, rows: 24 });
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(calls.map((c) => c.size), [{ cols: 2, rows: 1 }], 'one call in flight');
  calls[0]!.done();
  await settle();
  assert.deepEqual(calls.map((c) => c.size), [{ cols: 2, rows: 1 }, { cols: 80, rows: 24 }], 'then straight to the latest size');
  calls[1]!.done();
  await settle();
  assert.equal(calls.length, 2);
  hub.dispose();
});

test('viewers per session are capped; a detach frees a place', async () => {
  const { hub, attach } = setup();
  const handles = Array.from({ length: MAX_VIEWERS_PER_SESSION }, () => attach().handle);
  const extra = hub.attach(new FakeViewer());
  assert.equal(extra.ok, false);
  assert.equal(!extra.ok && extra.error.code, 'too-many-viewers');
  assert.match(!extra.ok ? extra.error.message : '', new RegExp(`${MAX_VIEWERS_PER_SESSION} terminals`));
  handles[0]!.detach();
  handles[0]!.detach(); // twice is harmless
  assert.equal(hub.attach(new FakeViewer()).ok, true);
  assert.equal(hub.viewerCount, MAX_VIEWERS_PER_SESSION);
});

test('viewers attaching together get one shared screen message, one per turn, before their live output', async () => {
  await settle(MAX_VIEWERS_PER_SESSION * 3); // screens queued by earlier tests (the queue is the runner's) go first
  const { hub, shells, screen, attach } = setup();
  screen.text = 'the screen';
  const viewers = Array.from({ length: MAX_VIEWERS_PER_SESSION }, () => attach().viewer);
  assert.ok(viewers.every((v) => v.messages.length === 0), 'attach sends nothing before it returns');
  await Promise.resolve();
  await new Promise((r) => setImmediate(r));
  assert.equal(viewers.filter((v) => v.types().includes('screen')).length, 1, 'one screen per event-loop turn');
  shells[0]!.emit('early');
  await settle(MAX_VIEWERS_PER_SESSION + 5);
  assert.ok(viewers.every((v) => v.output === 'early' && v.log.indexOf('screen') < v.log.indexOf('output')), 'output that came meanwhile follows each screen');
  const screens = viewers.map((v) => v.messages.find((m) => m.type === 'screen'));
  assert.ok(screens[0]);
  assert.ok(screens.every((m) => m === screens[0]), 'one message object: the socket layer encodes it once');
  shells[0]!.emit('live');
  assert.ok(viewers.every((v) => v.output === 'earlylive'));
  assert.equal(hub.viewerCount, MAX_VIEWERS_PER_SESSION);
});

test('a stopped hub refuses viewers; a shell that opens after a stop or reset is not adopted', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const { hub, shells, attach } = setup({ openShell: async () => { await gate; return new FakeShell(); } });
  attach();
  hub.suspend(verbatim('resetting'));
  hub.resume(); // the reset finished before the old environment's shell did
  release();
  await settle();
  assert.equal(shells[0]!.disposed, true, 'the shell of the old environment is disposed');
  assert.equal(shells.length, 2, 'a shell is opened in the new environment');
  assert.equal(shells[1]!.disposed, false);
  hub.dispose({ type: 'error', code: 'session-gone', message: 'stopped' });
  const late = hub.attach(new FakeViewer());
  assert.equal(late.ok, false);
  assert.equal(!late.ok && late.error.code, 'gone');
  assert.equal(hub.viewerCount, 0);
});

test('the shell follows the most recently active viewer; a small one leaving or going idle does not shrink the rest for good', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { hub, shells, attach } = setup();
  const desktop = attach();
  await settle();
  const shell = shells[0]!;
  const DESKTOP = { cols: 150, rows: 40 };
  const PHONE = { cols: 45, rows: 12 };
  desktop.handle.resize(DESKTOP);
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, DESKTOP);

  // A phone opens the lab: its own resize makes it active, so the shell fits the phone.
  const phone = attach();
  phone.handle.resize(PHONE);
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, PHONE);

  // The desktop tab regains focus: back to its size, without it having to resize.
  desktop.handle.focus();
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, DESKTOP);

  // Typing on the phone makes it active again; typing again there changes nothing more.
  phone.handle.input('l');
  phone.handle.input('s');
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, PHONE);

  // The phone closes while active: the desktop (most recent remaining) sets the size.
  phone.handle.detach();
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, DESKTOP);
  await settle();
  assert.deepEqual(shell.resizes.at(-1), DESKTOP, 'the shell itself got the desktop size back');

  // A viewer that never reports a size (a CLI without a TTY) types: the size stays.
  const pipe = attach();
  pipe.handle.input('x');
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, DESKTOP);
  // An idle viewer leaving does not change the size either.
  const idle = attach();
  idle.handle.resize({ cols: 80, rows: 24 });
  desktop.handle.focus();
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  idle.handle.detach();
  pipe.handle.detach();
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, DESKTOP);
  hub.dispose();
});

test('with three viewers, the active one leaving hands the size to the next most recent, not the first attached', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { hub, attach } = setup();
  const a = attach(); const b = attach(); const c = attach();
  await settle();
  a.handle.resize({ cols: 100, rows: 30 });
  b.handle.resize({ cols: 120, rows: 35 });
  c.handle.resize({ cols: 60, rows: 20 });
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, { cols: 60, rows: 20 });
  a.handle.focus();
  b.handle.focus();
  c.handle.focus();
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  c.handle.detach();
  t.mock.timers.tick(RESIZE_COALESCE_MS);
  assert.deepEqual(hub.termSize, { cols: 120, rows: 35 }, 'b was used after a');
  hub.dispose();
});
