// Orphan reaping after a runner dies with SIGKILL and periodically while a runner
// runs, and a clear error when the Docker Engine is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startTestRunner } from './helpers/runner-fixture.ts';
import { ContainerBackend, LABEL_MANAGED, LABEL_RUNNER, LABEL_SESSION } from '../runner/src/node/backends/container.ts';
import { okValue } from './helpers/backend-result.ts';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';

const LABS_CLI = join(REPO_ROOT, 'runner', 'bin', 'labs.mjs');

async function waitFor<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('containers of a runner killed with SIGKILL are removed when a runner of that name starts', async () => {
  const name = `orphan-${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-orphan-'));
  const child = spawn(process.execPath, [LABS_CLI, 'serve', '--port', '0', '--name', name], {
    env: { ...process.env, KDLABS_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const info = await waitFor(() => {
      const f = join(dataDir, 'runner.json');
      return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { url: string }) : undefined;
    }, 20000, 'the runner to advertise itself');
    const token = readFileSync(join(dataDir, 'owner-token'), 'utf8').trim();
    const res = await fetch(`${info.url}/api/sessions?wait=1`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ labId: 'syscall-storm' }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const backend = new ContainerBackend(new Docker(), name);
    assert.equal(okValue(await backend.listOwned(name)).length, 2, 'the container and its check-tools volume');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.equal(okValue(await backend.listOwned(name)).length, 2, 'the container and its volume outlive the killed runner');
    const next = await startTestRunner({ runnerName: name });
    try {
      assert.deepEqual(okValue(await backend.listOwned(name)), [], 'the new runner reaped the orphan');
    } finally {
      await next.dispose();
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a container of this runner that no session owns is reaped while the runner runs, not only at start-up', async () => {
  /** Short, so the test waits seconds; the default is minutes. */
  const reapIntervalMs = 1000;
  const r = await startTestRunner({ reapIntervalMs });
  const docker = new Docker();
  let orphanId = '';
  try {
    const lab = await r.startLab('syscall-storm');
    const backend = new ContainerBackend(docker, r.name);
    const [labContainer] = okValue(await backend.listOwned(r.name));
    const image = (await docker.getContainer(labContainer!).inspect()).Image;
    // What an outage can leave: a container labelled for this runner whose session is gone.
    const orphan = await docker.createContainer({
      Image: image, Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'none' },
      Labels: { [LABEL_MANAGED]: '1', [LABEL_RUNNER]: r.name, [LABEL_SESSION]: 's-aaaaaaaaaaaaaaaaaaaa' },
    });
    orphanId = orphan.id;
    await orphan.start();
    await waitForAsync(async () => (okValue(await backend.listOwned(r.name)).includes(orphanId) ? undefined : true), 30_000, 'the orphan to be reaped');
    assert.deepEqual(okValue(await backend.listOwned(r.name)), [labContainer, `volume kdlabs-check-${lab.session.id}`], "the running lab's container and volume are kept");
    assert.equal((await r.call('GET', `/api/sessions/${lab.session.id}`)).json.phase, 'running');
  } finally {
    // Normally reaped already (404); removed here when the test failed before that.
    if (orphanId) await docker.getContainer(orphanId).remove({ force: true }).catch((e: { statusCode?: number }) => { if (e.statusCode !== 404) throw e; });
    await r.dispose();
  }
});

async function waitForAsync<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a missing Docker Engine gives an error that names the fix', async () => {
  const dead = new Docker({ socketPath: '/run/kdlabs-test-no-docker.sock' });
  const r = await startTestRunner({ docker: dead });
  try {
    const h = await r.call('GET', '/api/health');
    assert.equal(h.json.backends.container.ok, false);
    const res = await r.call('POST', '/api/sessions?wait=1', { body: { labId: 'syscall-storm' } });
    assert.equal(res.status, 503);
    assert.equal(res.json.error.code, 'backend-unavailable');
    assert.match(res.json.error.message, /Docker Engine is not running/);
    assert.match(res.json.error.message, /dockerd --bridge=none/);
  } finally {
    await r.dispose();
  }
  const cli = spawnSync(process.execPath, [LABS_CLI, 'build', 'syscall-storm'], {
    env: { ...process.env, DOCKER_SOCKET: '/run/kdlabs-test-no-docker.sock' }, encoding: 'utf8',
  });
  assert.equal(cli.status, 3, cli.stderr);
  assert.match(cli.stderr, /Docker Engine is not running[\s\S]*apt-get install -y docker\.io/);
});
