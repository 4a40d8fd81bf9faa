// One real syscall-storm lab in Docker, driven through the runner's WebSocket
// terminal and HTTP API: typing, resize, bad frames, reconnect, flow control
// (output and input), checks and answers, reset, stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { okValue } from './helpers/backend-result.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { FLOW_HIGH_WATERMARK, WS_CLOSE, type ServerMessage } from '../runner/src/common/protocol.ts';
import { INPUT_STOP_READING_BYTES } from '../runner/src/node/sessions/terminal-hub.ts';

let r: TestRunner;
let sessionId = '';
let token = '';
/** Waits for a prompt; an existing shell prints none on attach, so ask for one. */
async function prompt(t: TerminalClient): Promise<void> {
  await t.opened;
  t.input('\r');
  await t.waitFor(/# $/m);
}
const open = (extra: Partial<ConstructorParameters<typeof TerminalClient>[0]> = {}) =>
  new TerminalClient({ url: r.url, sessionId, token, ...extra });

before(async () => {
  r = await startTestRunner();
  const started = await r.startLab('syscall-storm');
  sessionId = started.session.id;
  token = started.token;
  assert.equal(started.session.phase, 'running');
  assert.deepEqual(started.session.progress.map((p) => p.stage).filter((s, i, a) => a.indexOf(s) === i), ['image', 'environment', 'setup', 'ready']);
});
after(async () => { await r.dispose(); });

test('typing into the terminal runs commands in the lab', async () => {
  const t = open();
  await prompt(t);
  t.input('echo "sum=$((6*7))"; hostname\r');
  const out = await t.waitFor(/sum=42[\s\S]*syscall-storm/);
  assert.match(out, /sum=42/);
  t.close();
});

test('resize changes what stty reports', async () => {
  const t = open();
  await prompt(t);
  t.resize(101, 33);
  await new Promise((res) => setTimeout(res, 200));
  t.input('stty size\r');
  await t.waitFor(/\b33 101\b/);
  t.close();
});

test('the lab has no network, has its limits and can trace', async () => {
  const t = open();
  await prompt(t);
  t.input('ip -o link | wc -l; cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null; ls /sys/kernel/tracing/events/raw_syscalls\r');
  const out = await t.waitFor(/sys_enter[\s\S]*sys_exit/);
  assert.match(out, /^1\r?$/m, 'only the loopback interface');
  assert.match(out, /268435456/, 'memory limit of 256m from lab.yaml');
  t.close();
});

test('malformed, binary and oversized frames are refused with a clear error', async () => {
  const t = open();
  await t.opened;
  const errors: ServerMessage[] = [];
  t.onMessage((m) => { if (m.type === 'error') errors.push(m); });
  t.ws.send('this is not json');
  t.ws.send(JSON.stringify({ type: 'resize', cols: -5, rows: 10 }));
  t.ws.send(JSON.stringify({ type: 'launch-missiles' }));
  t.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(errors.length, 4, JSON.stringify(errors));
  assert.ok(errors.every((e) => e.type === 'error' && e.code === 'bad-frame'));
  assert.match(JSON.stringify(errors), /not JSON/);
  assert.match(JSON.stringify(errors), /cols/);
  // The connection still works after bad frames.
  t.input('echo still-alive\r');
  await t.waitFor(/still-alive\r?\n/);
  // A frame over the limit closes the connection (1009: message too big).
  t.ws.send(JSON.stringify({ type: 'input', data: 'x'.repeat(200_000) }));
  const closed = await t.closed;
  assert.equal(closed.code, WS_CLOSE.tooBig);
});

test('terminals need the session token and an allowed Origin', async () => {
  const noToken = new TerminalClient({ url: r.url, sessionId, token: 'short' });
  assert.equal((await noToken.closed).code, WS_CLOSE.unauthorized);
  const wrong = new TerminalClient({ url: r.url, sessionId, token: 'A'.repeat(43) });
  assert.equal((await wrong.closed).code, WS_CLOSE.notFound);
  const foreign = open({ origin: 'https://evil.example' });
  await assert.rejects(foreign.opened, /HTTP 403/);
  const same = open({ origin: r.url });
  await same.opened;
  same.close();
});

test('a reconnect finds the same shell', async () => {
  const a = open();
  await prompt(a);
  a.input('MARK=kept-$((40+2))\r');
  await a.waitFor(/# $/m, 5000, { text: '' });
  a.close();
  await a.closed;
  // The reconnecting viewer first gets the screen as it was: the command typed before.
  const b = open();
  const screen = new Promise<string>((res) => b.onMessage((m) => { if (m.type === 'screen') res(m.data); }));
  await b.opened;
  assert.match(await screen, /MARK=kept-\$\(\(40\+2\)\)/);
  b.input('echo "mark=$MARK"\r');
  await b.waitFor(/mark=kept-42/);
  b.close();
});

test('flow control: without acks the runner stops reading; Ctrl-C ends a flood at once', async () => {
  const t = open({ manualAck: true });
  await t.opened;
  let received = 0;
  t.onOutput((c) => { received += c.length; });
  t.input('yes flood-line-0123456789\r');
  await new Promise((res) => setTimeout(res, 1500));
  const stalled = received;
  await new Promise((res) => setTimeout(res, 500));
  // Nothing was acknowledged: output stops near the high watermark (plus one read's worth).
  assert.ok(stalled <= FLOW_HIGH_WATERMARK + 256 * 1024, `received ${stalled} bytes without acking`);
  assert.equal(received, stalled, 'no more output while unacknowledged');
  // Acknowledge and the flood resumes.
  t.processed(received);
  await new Promise((res) => setTimeout(res, 300));
  assert.ok(received > stalled, 'output resumed after the ack');
  // Keep acking everything and interrupt.
  t.onOutput((c) => t.processed(c.length));
  t.processed(received);
  const acc = { text: '' };
  t.onOutput((c) => { acc.text = (acc.text + c.toString()).slice(-2000); });
  t.input('\x03');
  await t.waitFor(/\^C[\s\S]*# $/, 5000, acc);
  t.input('echo after-flood\r');
  await t.waitFor(/after-flood\r?\n/);
  t.close();
});

test('input backpressure: a shell that does not read pauses input at a bound, and resumes once it reads', async () => {
  const t = open();
  await prompt(t);
  // Nothing reads the TTY for a few seconds, then everything is read (and thrown away).
  t.input('stty -echo; sleep 4; cat >/dev/null\r');
  const seen: string[] = [];
  t.onMessage((m) => { if (m.type === 'input-paused' || m.type === 'input-resumed') seen.push(m.type); });
  // A client that ignores input-paused: complete short lines, as a paste, until the runner says stop.
  const frame = `${'y'.repeat(79)}\n`.repeat(700);
  let sent = 0;
  while (!seen.includes('input-paused') && sent < 64 * 1024 * 1024) {
    for (let i = 0; i < 16; i++) { t.send({ type: 'input', data: frame }); sent += frame.length; }
    await new Promise((res) => setTimeout(res, 5));
  }
  assert.ok(seen.includes('input-paused'), `no input-paused after ${sent} bytes`);
  const held = r.manager.get(sessionId)!.terminal.pendingInputBytes;
  assert.ok(held <= INPUT_STOP_READING_BYTES + 16 * frame.length, `the runner holds ${held} bytes of input`);
  // The shell reads again: everything goes in, and the viewer may send again.
  const deadline = Date.now() + 60_000;
  while (!seen.includes('input-resumed') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(seen.slice(0, 2), ['input-paused', 'input-resumed']);
  t.input('\x03'); // ends cat; an interrupt also flushes the TTY's input, so wait for the prompt
  await t.waitFor(/# $/m, 30_000);
  t.input('stty echo; echo "reading=$((40+2))"\r');
  await t.waitFor(/reading=42/, 30_000);
  t.close();
});

test('checks and answers are graded by the runner; a pass stays a pass', async () => {
  const check = await r.call('POST', `/api/sessions/${sessionId}/tasks/batch-writes/check`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(check.status, 200);
  assert.equal(check.json.passed, false);
  assert.match(check.json.message, /bytes per call/);
  const wrong = await r.call('POST', `/api/sessions/${sessionId}/tasks/find-syscall/answer`, { body: { answer: 'read' }, headers: { authorization: `Bearer ${token}` } });
  assert.equal(wrong.json.passed, false);
  // The storm's system call is this learner's lab parameter (write, writev or pwritev2).
  const mine = r.manager.get(sessionId)!.params.syscall!;
  const right = await r.call('POST', `/api/sessions/${sessionId}/tasks/find-syscall/answer`, { body: { answer: ` ${mine.toUpperCase()} ` }, headers: { authorization: `Bearer ${token}` } });
  assert.equal(right.json.passed, true);
  const again = await r.call('POST', `/api/sessions/${sessionId}/tasks/find-syscall/answer`, { body: { answer: 'read' }, headers: { authorization: `Bearer ${token}` } });
  assert.equal(again.json.passed, false);
  assert.equal(again.json.alreadyPassed, true);
  const view = await r.call('GET', `/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
  const task = view.json.tasks.find((t: { id: string }) => t.id === 'find-syscall');
  assert.equal(task.status, 'passed');
  assert.equal(task.attempts, 3);
  const hint = await r.call('POST', `/api/sessions/${sessionId}/tasks/find-syscall/hint`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(hint.json.index, 0);
  assert.match(hint.json.hint, /strace/);
  const noCheck = await r.call('POST', `/api/sessions/${sessionId}/tasks/find-syscall/check`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(noCheck.status, 400);
});

test('reset puts the lab back to its initial state and keeps passed tasks', async () => {
  const t = open();
  await prompt(t);
  t.input("touch /root/left-over; sed -i 's/^write_mode.*/write_mode = batched/' /etc/relayd.conf && echo edited\r");
  await t.waitFor(/edited\r?\n/);
  const states: string[] = [];
  t.onMessage((m) => { if (m.type === 'state') states.push(m.state); });
  const reset = await r.call('POST', `/api/sessions/${sessionId}/reset?wait=1`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(reset.status, 202);
  assert.ok(states.includes('restarting'), `viewer told of the reset: ${states}`);
  t.input('ls /root/left-over; grep ^write_mode /etc/relayd.conf\r');
  await t.waitFor(/No such file[\s\S]*write_mode = single/, 15000);
  const view = await r.call('GET', `/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(view.json.phase, 'running');
  assert.equal(view.json.tasks.find((x: { id: string }) => x.id === 'find-syscall').status, 'passed');
  t.close();
});

test('stop removes the container and closes its terminals', async () => {
  const t = open();
  await t.opened;
  const before = okValue(await r.backends.container!.listOwned(r.name));
  assert.equal(before.length, 2, 'the container and its check-tools volume');
  const stop = await r.call('DELETE', `/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(stop.status, 200);
  assert.equal((await t.closed).code, WS_CLOSE.sessionStopped);
  assert.deepEqual(okValue(await r.backends.container!.listOwned(r.name)), []);
  const gone = await r.call('GET', `/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(gone.status, 404);
});
