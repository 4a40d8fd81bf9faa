// A runner that cannot start says why and gives back everything it opened:
// port 7171 may be taken on a shared host (another runner, another program).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunner } from '../runner/src/node/runner.ts';

test('a taken port is refused with a message naming the port and the fix; the same data folder then serves a runner on a free port', async () => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as { port: number }).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-startup-'));
  try {
    await assert.rejects(
      createRunner({ port, runnerName: `startup-${process.pid}`, dataDir, log: () => {} }),
      new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port`),
    );
    // Nothing of the failed start is in the way: a runner on a free port opens the same data folder and serves.
    const again = await createRunner({ port: 0, runnerName: `startup-${process.pid}`, dataDir, log: () => {} });
    const health = await fetch(`${again.url}/api/health`);
    assert.equal(health.status, 200);
    await again.close();
  } finally {
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
