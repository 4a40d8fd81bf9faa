// Reads pictures out of a lab's spool through its backend's exec: the listing,
// and one file in gzipped slices (exec output is capped at 64 KiB, a flame
// picture may be up to MAX_PICTURE_BYTES). Every file is validated before use;
// a bad file is an error for that file alone and is left out of the list.
import { gunzipSync } from 'node:zlib';
import { MAX_PICTURE_BYTES, PICTURE_NAME_PATTERN, type Picture, type PictureSummary } from '../../common/pictures.ts';
import { execFailure, fail, type LabExec, type PictureResult } from './lab-exec.ts';
import { parsePictureText, summaryOf } from './picture-file.ts';
import { LIST_SCRIPT, parseChunkReply, parseSpoolListing, READ_CHUNK_BYTES, READ_CHUNK_SCRIPT } from './spool-read.ts';

/** One listing or one slice is a few file reads; a lab that takes longer is busy or stuck. */
export const SPOOL_EXEC_TIMEOUT_MS = 10_000;
/** Slices read at most: gzip never grows a file by more than a little, so this covers MAX_PICTURE_BYTES. */
const MAX_CHUNKS = Math.ceil((MAX_PICTURE_BYTES * 1.01 + 4096) / READ_CHUNK_BYTES);
/** Sessions whose summaries are remembered; the oldest are forgotten beyond this (stopped sessions are never asked again). */
const CACHED_SESSIONS = 100;

interface Known {
  /** `<size> <mtime>`: a file rewritten in place is read again. */
  stamp: string;
  summary: PictureSummary | null;
}

export class PictureSpool {
  /** Per session: what each file held when last read (null: it was not a valid picture). */
  private readonly known = new Map<string, Map<string, Known>>();

  /** Valid pictures in the spool, newest first; invalid and unreadable files are left out. */
  async list(sessionId: string, exec: LabExec): Promise<PictureResult<PictureSummary[]>> {
    const r = await exec(LIST_SCRIPT, SPOOL_EXEC_TIMEOUT_MS);
    if (!r.ok) return execFailure(r.error, 'listing the pictures');
    if (r.value.timedOut) return fail('backend-unavailable', `listing the pictures took more than ${SPOOL_EXEC_TIMEOUT_MS / 1000} s; the lab is busy, try again`);
    const entries = parseSpoolListing(r.value.stdout);
    const before = this.known.get(sessionId) ?? new Map<string, Known>();
    const now = new Map<string, Known>();
    const out: PictureSummary[] = [];
    for (const e of entries) {
      const stamp = `${e.size} ${e.mtime}`;
      let k = before.get(e.name);
      if (!k || k.stamp !== stamp) {
        const p = e.size > MAX_PICTURE_BYTES ? null : await this.read(exec, e.name);
        // A read that failed for the backend's sake is not remembered: the next list tries again.
        if (p && !p.ok && (p.error.code === 'backend-unavailable' || p.error.code === 'conflict')) continue;
        k = { stamp, summary: p?.ok ? summaryOf(e.name, p.value) : null };
      }
      now.set(e.name, k);
      if (k.summary) out.push(k.summary);
    }
    this.known.delete(sessionId);
    this.known.set(sessionId, now);
    while (this.known.size > CACHED_SESSIONS) this.known.delete(this.known.keys().next().value!);
    return { ok: true, value: out };
  }

  /** One picture, validated. The name is checked here too: it must never reach a path unchecked. */
  async read(exec: LabExec, name: string): Promise<PictureResult<Picture>> {
    if (!PICTURE_NAME_PATTERN.test(name)) return fail('bad-request', `"${name.slice(0, 80)}" is not a picture name (expected ${PICTURE_NAME_PATTERN.source})`);
    const parts: Buffer[] = [];
    let size: number | null = null;
    for (let i = 0; i < MAX_CHUNKS; i++) {
      const offset = i * READ_CHUNK_BYTES;
      const r = await exec(READ_CHUNK_SCRIPT, SPOOL_EXEC_TIMEOUT_MS, { KDLABS_PICTURE: name, KDLABS_OFFSET: String(offset) });
      if (!r.ok) return execFailure(r.error, `reading picture ${name}`);
      if (r.value.timedOut) return fail('backend-unavailable', `reading picture ${name} took more than ${SPOOL_EXEC_TIMEOUT_MS / 1000} s; the lab is busy, try again`);
      const c = parseChunkReply(r.value.stdout);
      if (c.kind === 'missing') return i === 0 ? fail('not-found', `no picture ${name} in the lab`) : changed(name);
      if (c.kind === 'too-big') return fail('payload-too-large', `picture ${name} is ${c.size} bytes; the runner reads at most ${MAX_PICTURE_BYTES}`);
      if (c.kind === 'garbled') return fail('bad-request', `picture ${name} could not be read from the lab: ${c.detail}`);
      if (size !== null && c.size !== size) return changed(name);
      size = c.size;
      parts.push(c.bytes);
      if (c.bytes.length < READ_CHUNK_BYTES) return decode(name, Buffer.concat(parts));
    }
    return fail('payload-too-large', `picture ${name} did not fit in ${MAX_PICTURE_BYTES} bytes`);
  }
}

function changed<T>(name: string): PictureResult<T> {
  return fail('conflict', `picture ${name} changed or vanished while it was being read; try again`);
}

function decode(name: string, gz: Buffer): PictureResult<Picture> {
  let text: string;
  try {
    text = gunzipSync(gz, { maxOutputLength: MAX_PICTURE_BYTES }).toString('utf8');
  } catch (e) {
    return fail('bad-request', `picture ${name} could not be unpacked (${(e as Error).message}); it may have changed while it was being read`);
  }
  const p = parsePictureText(text);
  if (!p.ok) return fail('bad-request', `the file ${name} in the lab is not a valid picture: ${p.problem}`);
  return { ok: true, value: p.picture };
}
