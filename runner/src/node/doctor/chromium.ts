// Chromium: the browser tests drive Debian's Chromium through playwright-core
// (test/helpers/browser.ts reads the same KDLABS_CHROMIUM override).
import type { CheckOutcome } from './check.ts';
import { lastLine } from './check.ts';
import type { HostIo, IoResult, RunOutput } from './host-io.ts';

export const CHROMIUM = process.env.KDLABS_CHROMIUM ?? '/usr/bin/chromium';
/** `chromium --version` starts the browser binary (a second or two; more on a loaded host). */
export const CHROMIUM_VERSION_TIMEOUT_MS = 20_000;

export function decideChromium(path: string, r: IoResult<RunOutput>): CheckOutcome {
  const fix = 'apt-get install -y chromium   (or point KDLABS_CHROMIUM at another Chromium)';
  if (!r.ok) {
    return { status: 'missing', detail: `${path}: ${r.code === 'ENOENT' ? 'not installed' : r.message}`, why: 'the browser tests (npm test) cannot run', fix, facts: { version: null } };
  }
  if (r.value.timedOut || r.value.code !== 0) {
    const reason = r.value.timedOut ? `did not answer within ${CHROMIUM_VERSION_TIMEOUT_MS / 1000} s` : lastLine(r.value.stderr) || `exit ${r.value.code}`;
    return { status: 'missing', detail: `${path} --version: ${reason}`, why: 'the browser tests (npm test) cannot run', fix, facts: { version: null } };
  }
  const version = /(\d+\.\d+\.\d+\.\d+)/.exec(r.value.stdout)?.[1] ?? null;
  return { status: 'ok', detail: `${r.value.stdout.trim().split('\n')[0]} (${path})`, why: null, fix: null, facts: { version } };
}

export async function checkChromium(io: HostIo, path = CHROMIUM): Promise<CheckOutcome> {
  return decideChromium(path, await io.run(path, ['--version'], CHROMIUM_VERSION_TIMEOUT_MS));
}
