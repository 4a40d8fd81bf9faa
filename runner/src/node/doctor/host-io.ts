// What the doctor's checks may do to the host: read files, write a tracefs
// control file, run a command with a time limit. Every operation answers with
// a value, never an exception: a probe that fails is a finding. Unit tests
// hand the checks a fake with recorded answers.
import { execFile } from 'node:child_process';
import { access, appendFile, open, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { constants } from 'node:fs';

export type IoResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface RunOutput { code: number | null; stdout: string; stderr: string; timedOut: boolean }

export interface HostIo {
  /** At most `maxBytes` of a file (pseudo-files in /proc and /sys have no size). */
  readText(path: string, maxBytes?: number): Promise<IoResult<string>>;
  /** The first `n` bytes of a file. */
  readHead(path: string, n: number): Promise<IoResult<Uint8Array>>;
  exists(path: string): Promise<boolean>;
  /** Readable and writable by this process (e.g. /dev/kvm). */
  accessRw(path: string): Promise<IoResult<true>>;
  isDirectory(path: string): Promise<boolean>;
  /** Entry names, sorted; null when the folder cannot be read. */
  listDir(path: string): Promise<string[] | null>;
  /** Size in bytes as stat(2) reports it; null when the file is not there. */
  size(path: string): Promise<number | null>;
  readLink(path: string): Promise<string | null>;
  /** Appends (O_APPEND): for tracefs *_events files, where a plain write would clear every probe. */
  append(path: string, text: string): Promise<IoResult<true>>;
  /** Runs a program (no shell); a missing program is `ok: false` with code ENOENT. */
  run(cmd: string, args: string[], timeoutMs: number): Promise<IoResult<RunOutput>>;
}

/** The largest pseudo-file a check reads (mountinfo on a busy Docker host is tens of KiB). */
const DEFAULT_READ_LIMIT = 1024 * 1024;
/** Output kept from a probed command: version lines and error messages. */
const RUN_OUTPUT_LIMIT = 256 * 1024;

function fail(e: unknown): { ok: false; code: string; message: string } {
  const err = e as NodeJS.ErrnoException;
  return { ok: false, code: err.code ?? 'ERROR', message: err.message ?? String(e) };
}

export function nodeHostIo(): HostIo {
  return {
    async readText(path, maxBytes = DEFAULT_READ_LIMIT) {
      try {
        const buf = await readFile(path);
        return { ok: true, value: buf.subarray(0, maxBytes).toString('utf8') };
      } catch (e) { return fail(e); }
    },
    async readHead(path, n) {
      try {
        const fh = await open(path, 'r');
        try {
          const buf = Buffer.alloc(n);
          const { bytesRead } = await fh.read(buf, 0, n, 0);
          return { ok: true, value: new Uint8Array(buf.subarray(0, bytesRead)) };
        } finally { await fh.close(); }
      } catch (e) { return fail(e); }
    },
    async exists(path) {
      try { await access(path, constants.F_OK); return true; } catch { return false; }
    },
    async accessRw(path) {
      try { await access(path, constants.R_OK | constants.W_OK); return { ok: true, value: true }; } catch (e) { return fail(e); }
    },
    async isDirectory(path) {
      try { return (await stat(path)).isDirectory(); } catch { return false; }
    },
    async listDir(path) {
      try { return (await readdir(path)).sort(); } catch { return null; }
    },
    async size(path) {
      try { return (await stat(path)).size; } catch { return null; }
    },
    async readLink(path) {
      try { return await readlink(path); } catch { return null; }
    },
    async append(path, text) {
      try { await appendFile(path, text); return { ok: true, value: true }; } catch (e) { return fail(e); }
    },
    run(cmd, args, timeoutMs) {
      return new Promise((resolve) => {
        execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: RUN_OUTPUT_LIMIT, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
          (error, stdout, stderr) => {
            if (!error) return resolve({ ok: true, value: { code: 0, stdout, stderr, timedOut: false } });
            const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
            if (typeof e.code === 'string' && !e.killed) return resolve(fail(e));
            resolve({ ok: true, value: { code: typeof e.code === 'number' ? e.code : null, stdout, stderr, timedOut: e.killed === true } });
          });
      });
    },
  };
}
