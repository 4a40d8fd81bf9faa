// Attaches the current terminal to a lab shell. Ctrl-] detaches and leaves the lab running.
import { ApiClientError } from '../../common/api-client.ts';
import { TerminalClient } from './terminal-client.ts';

const DETACH_KEY = '\x1d'; // Ctrl-]
/** A runner that takes the connection but never completes the WebSocket handshake is not waited on longer than this. */
export const ATTACH_DEADLINE_MS = 15_000;

export async function attachTerminal(url: string, sessionId: string, token: string): Promise<'detached' | 'closed'> {
  const client = new TerminalClient({ url, sessionId, token, manualAck: true });
  await opened(client, url, sessionId);
  const stdin = process.stdin, stdout = process.stdout;
  const size = (): void => client.resize(Math.max(2, stdout.columns || 80), Math.max(1, stdout.rows || 24));
  process.stderr.write(`\r\n[attached to ${sessionId}; press Ctrl-] to detach, the lab keeps running]\r\n`);
  size();
  client.onOutput((chunk) => { stdout.write(chunk, () => client.processed(chunk.length)); });
  client.onMessage((m) => {
    // Start from the screen as the lab has it (clear ours first), then live output follows.
    if (m.type === 'screen') stdout.write(`\x1b[H\x1b[2J\x1b[3J${m.data}`);
    if (m.type === 'error') process.stderr.write(`\r\n[runner: ${m.message}]\r\n`);
    if (m.type === 'notice') process.stderr.write(`\r\n[runner: ${m.message}]\r\n`);
    if (m.type === 'input-paused') process.stderr.write('\r\n[the lab is not reading input; what you type is held until it does]\r\n');
    if (m.type === 'input-resumed') process.stderr.write('\r\n[the lab reads input again]\r\n');
    if (m.type === 'state' && m.state === 'exited') process.stderr.write('\r\n[the shell exited; press a key for a new one, Ctrl-] to detach]\r\n');
  });
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.resume();
  let detached = false;
  const onData = (d: Buffer): void => {
    const s = d.toString('utf8');
    if (s.includes(DETACH_KEY)) { detached = true; client.close(); return; }
    client.input(s);
  };
  stdin.on('data', onData);
  process.stdout.on('resize', size);
  const closed = await client.closed;
  stdin.off('data', onData);
  process.stdout.off('resize', size);
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  if (!detached && closed.code !== 1000) process.stderr.write(`\r\n[connection closed: ${closed.reason || closed.code}]\r\n`);
  return detached ? 'detached' : 'closed';
}

/** The terminal's WebSocket is open; a refusal or a silent runner becomes an error that says what to run. */
async function opened(client: TerminalClient, url: string, sessionId: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiClientError('unreachable', `the runner at ${url} did not open the terminal of ${sessionId} within ${ATTACH_DEADLINE_MS / 1000} s; check it with \`labs sessions\``, 0)), ATTACH_DEADLINE_MS);
  });
  try {
    await Promise.race([client.opened, deadline]);
  } catch (e) {
    client.close();
    if (e instanceof ApiClientError) throw e;
    throw new ApiClientError('unreachable', `the terminal of ${sessionId} at ${url} did not open (${(e as Error).message}); check it with \`labs sessions\``, 0);
  } finally {
    clearTimeout(timer);
  }
}
