// `npm run dev`: VitePress's dev server forwards /api — HTTP and the terminal
// WebSocket — to the runner, so the site can be edited with hot reload against real labs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { spawnOwned, type OwnedChild } from './helpers/owned-child.ts';

let runner: TestRunner;
let dev: OwnedChild;
let devUrl: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

before(async () => {
  const port = await freePort();
  devUrl = `http://localhost:${port}`;
  runner = await startTestRunner({ allowedOrigins: [devUrl] });
  dev = spawnOwned(process.execPath, [join(REPO_ROOT, 'node_modules', 'vitepress', 'bin', 'vitepress.js'), 'dev', 'docs', '--port', String(port), '--strictPort'], {
    cwd: REPO_ROOT, env: { ...process.env, KDLABS_RUNNER_URL: runner.url }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  dev.child.stdout?.on('data', (d) => { log += d; });
  dev.child.stderr?.on('data', (d) => { log += d; });
  const until = Date.now() + 90_000;
  for (;;) {
    try { if ((await fetch(`${devUrl}/`)).ok) break; } catch { /* not up yet */ }
    if (Date.now() > until || dev.child.exitCode !== null) throw new Error(`vitepress dev did not come up:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
});

after(async () => {
  await dev?.stop();
  await runner?.dispose();
});

test('the dev server forwards API requests to the runner', { timeout: 60_000 }, async () => {
  const res = await fetch(`${devUrl}/api/labs`, { headers: { origin: devUrl } });
  assert.equal(res.status, 200);
  const body = await res.json() as { labs: Array<{ id: string }> };
  assert.ok(body.labs.some((l) => l.id === 'syscall-storm'));
  // The owner token is readable by the dev page (same origin), as on the runner's own site.
  const boot = await fetch(`${devUrl}/api/bootstrap`, { headers: { origin: devUrl } });
  assert.equal(boot.status, 200);
});

test('the dev server forwards the terminal WebSocket', { timeout: 120_000 }, async () => {
  const { session, token } = await runner.startLab('syscall-storm');
  const t = new TerminalClient({ url: devUrl, sessionId: session.id, token, origin: devUrl });
  await t.opened;
  t.input('echo via-dev-$((20+22))\r');
  await t.waitFor(/via-dev-42/, 15_000);
  t.close();
  await runner.call('DELETE', `/api/sessions/${session.id}`);
});
