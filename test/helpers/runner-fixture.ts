// A real runner on a free port with its own name and data folder, for one test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunner, type Runner, type RunnerOptions } from '../../runner/src/node/runner.ts';
import type { StartSessionResponse } from '../../runner/src/common/protocol.ts';

export interface TestRunner extends Runner {
  name: string;
  dataDir: string;
  /** fetch against the runner with the owner token (override headers as needed). */
  call(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; json: any }>;
  startLab(labId: string): Promise<StartSessionResponse>;
  dispose(): Promise<void>;
}

export async function startTestRunner(opts: Partial<RunnerOptions> = {}): Promise<TestRunner> {
  const name = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-test-'));
  const runner = await createRunner({ port: 0, runnerName: name, dataDir, log: () => {}, ...opts });
  const call: TestRunner['call'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${runner.ownerToken}`, ...init.headers };
    let body: string | undefined = init.raw;
    if (init.body !== undefined) { body = JSON.stringify(init.body); headers['content-type'] ??= 'application/json'; }
    const res = await fetchOnce(`${runner.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown = null;
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: res.status, json };
  };
  return {
    ...runner, name, dataDir, call,
    startLab: async (labId) => {
      const r = await call('POST', '/api/sessions?wait=1', { body: { labId } });
      if (r.status !== 201) throw new Error(`start ${labId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
      return r.json as StartSessionResponse;
    },
    dispose: async () => { await runner.close(); rmSync(dataDir, { recursive: true, force: true }); },
  };
}

/**
 * fetch, tried again once when a kept-alive socket turns out closed by the server
 * before it read the request (undici reports "fetch failed", cause "other side closed" /
 * ECONNRESET): nothing reached the runner, so sending it again is safe.
 */
async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const socketClosed = cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET' || /other side closed/.test(cause?.message ?? '');
    if (!socketClosed) throw e;
    return fetch(url, init);
  }
}
