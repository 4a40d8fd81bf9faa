// A HostIo for unit tests: files and command answers given up front (recorded
// on real hosts, see fixtures/), and a log of what the check wrote.
import type { HostIo, IoResult, RunOutput } from './host-io.ts';

export interface FakeHost {
  /** Path → contents, or an errno code (e.g. 'EACCES') the read fails with. Folders: path → string[] of entries. */
  files?: Record<string, string | Uint8Array | string[] | { error: string }>;
  /** Path → errno code for writes that fail; writes elsewhere succeed when the file exists. */
  writeErrors?: Record<string, string>;
  /** Program → its answer; a program not listed is not installed (ENOENT). */
  commands?: Record<string, RunOutput | { error: string }>;
  links?: Record<string, string>;
}

export interface FakeHostIo extends HostIo {
  appended: Array<{ path: string; text: string }>;
  ran: Array<{ cmd: string; args: string[] }>;
}

const err = (code: string): { ok: false; code: string; message: string } => ({ ok: false, code, message: `${code}: fake` });

export function fakeHostIo(h: FakeHost): FakeHostIo {
  const files = h.files ?? {};
  const appended: FakeHostIo['appended'] = [];
  const ran: FakeHostIo['ran'] = [];
  const get = (p: string) => files[p];
  const isDir = (p: string): boolean => Array.isArray(get(p)) || Object.keys(files).some((k) => k.startsWith(`${p}/`));
  return {
    appended,
    ran,
    async readText(path, maxBytes = Infinity): Promise<IoResult<string>> {
      const f = get(path);
      if (f === undefined) return err('ENOENT');
      if (typeof f === 'object' && 'error' in f) return err(f.error);
      if (Array.isArray(f)) return err('EISDIR');
      const text = typeof f === 'string' ? f : new TextDecoder().decode(f);
      return { ok: true, value: text.slice(0, maxBytes) };
    },
    async readHead(path, n) {
      const f = get(path);
      if (f === undefined) return err('ENOENT');
      if (typeof f === 'object' && 'error' in f) return err(f.error);
      if (Array.isArray(f)) return err('EISDIR');
      const bytes = typeof f === 'string' ? new TextEncoder().encode(f) : f;
      return { ok: true, value: bytes.slice(0, n) };
    },
    async exists(path) { return get(path) !== undefined || isDir(path); },
    async accessRw(path) {
      const f = get(path);
      if (f === undefined) return err('ENOENT');
      if (typeof f === 'object' && 'error' in f) return err(f.error);
      return { ok: true, value: true };
    },
    async isDirectory(path) { return isDir(path); },
    async listDir(path) {
      const f = get(path);
      if (Array.isArray(f)) return [...f].sort();
      const below = Object.keys(files).filter((k) => k.startsWith(`${path}/`)).map((k) => k.slice(path.length + 1).split('/')[0]!);
      return below.length ? [...new Set(below)].sort() : null;
    },
    async size(path) {
      const f = get(path);
      if (f === undefined || Array.isArray(f) || (typeof f === 'object' && 'error' in f)) return null;
      return typeof f === 'string' ? f.length : f.length;
    },
    async readLink(path) { return h.links?.[path] ?? null; },
    async append(path, text) {
      if (h.writeErrors?.[path]) return err(h.writeErrors[path]!);
      if (get(path) === undefined) return err('ENOENT');
      appended.push({ path, text });
      return { ok: true, value: true };
    },
    async run(cmd, args) {
      ran.push({ cmd, args });
      const c = h.commands?.[cmd];
      if (!c) return err('ENOENT');
      if ('error' in c) return err(c.error);
      return { ok: true, value: c };
    },
  };
}
