// A VM's device state to a file and back, over a unix socket (QEMU 7.2 has no
// `file:` migration URI, and `exec:` needs spawn, which our sandbox denies):
// saving, the runner listens and QEMU's `migrate` writes into it; restoring,
// QEMU listens (`migrate-incoming`) and the runner writes the file into it.
// With x-ignore-shared the RAM is not in the stream (it is the shared RAM file),
// so the stream is a few hundred KB of device state.
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { MIGRATION_CAPABILITIES } from './saved-state.ts';
import { sleep, type QmpClient } from './qmp.ts';

/** query-migrate / query-status polling: the stream is small, it completes in tens of milliseconds. */
const POLL_MS = 10;
/** Even a loaded host moves a few hundred KB of device state within this. */
export const MIGRATE_TIMEOUT_MS = 60_000;

interface MigrateInfo { status?: string; 'error-desc'?: string }

/** Stops the VM and writes its device state into `file`. The VM stays stopped ('postmigrate'). */
export async function migrateToFile(qmp: QmpClient, socketPath: string, file: string, timeoutMs = MIGRATE_TIMEOUT_MS): Promise<number> {
  rmSync(socketPath, { force: true });
  const out = createWriteStream(file);
  let written: Promise<void> | null = null;
  const server = createServer((sock: Socket) => {
    server.close();
    written = pipeline(sock, out);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(socketPath, () => resolve()); });
  try {
    await qmp.execute('migrate-set-capabilities', { capabilities: MIGRATION_CAPABILITIES });
    // The stream is the device state only: do not let the default 32 MiB/s limit pace it.
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': Number.MAX_SAFE_INTEGER });
    // Stopped first: the RAM file and the devices are then one consistent moment.
    await qmp.execute('stop');
    await qmp.execute('migrate', { uri: `unix:${socketPath}` });
    await waitMigration(qmp, timeoutMs);
    if (!written) throw new Error('QEMU reported the migration complete but never connected');
    await written;
    return out.bytesWritten;
  } finally {
    server.close();
    out.destroy();
    rmSync(socketPath, { force: true });
  }
}

/** Feeds `file` into a QEMU started with `-incoming defer`; resolves when the state is loaded (the VM is then paused). */
export async function migrateFromFile(qmp: QmpClient, socketPath: string, file: string, timeoutMs = MIGRATE_TIMEOUT_MS): Promise<void> {
  await qmp.execute('migrate-set-capabilities', { capabilities: MIGRATION_CAPABILITIES });
  await qmp.execute('migrate-incoming', { uri: `unix:${socketPath}` });
  const sock = await new Promise<Socket>((resolve, reject) => {
    const s = createConnection(socketPath);
    s.once('connect', () => { s.off('error', reject); resolve(s); });
    s.once('error', reject);
  });
  const deadline = Date.now() + timeoutMs;
  // QEMU may close its end as soon as it has the whole stream: an EPIPE after that is not a failure.
  const sent = pipeline(createReadStream(file), sock).catch((e: Error) => e);
  for (;;) {
    const st = await qmp.execute<{ status: string }>('query-status');
    if (st.status !== 'inmigrate') {
      if (st.status !== 'paused' && st.status !== 'running') throw new Error(`the VM is ${st.status} after loading its saved state`);
      break;
    }
    const m = await qmp.execute<MigrateInfo>('query-migrate');
    if (m.status === 'failed') throw new Error(`loading the saved state failed: ${m['error-desc'] ?? 'QEMU gave no reason'}`);
    if (Date.now() > deadline) throw new Error(`the saved state did not load within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
  const e = await sent;
  if (e instanceof Error && !/EPIPE|ECONNRESET/.test(e.message)) throw new Error(`sending the saved state failed: ${e.message}`);
}

async function waitMigration(qmp: QmpClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await qmp.execute<MigrateInfo>('query-migrate');
    if (m.status === 'completed') return;
    if (m.status === 'failed' || m.status === 'cancelled') throw new Error(`saving the VM state failed: ${m['error-desc'] ?? m.status}`);
    if (Date.now() > deadline) throw new Error(`saving the VM state did not finish within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}
