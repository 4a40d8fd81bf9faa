// The two scripts that read the picture spool inside the lab, and the parsers of
// their output. Names come back from the lab (untrusted) and go in from a request
// (untrusted): both are held to PICTURE_NAME_PATTERN here, and a name reaches a
// script only through an environment variable, never spliced into its text.
import { MAX_PICTURE_BYTES, PICTURE_SPOOL_DIR } from '../../common/pictures.ts';
import { isPictureName } from './picture-file.ts';

/** Spool entries listed at most: the tools keep MAX_SPOOL_PICTURES; a learner's extra files are not read. */
export const MAX_LISTED_FILES = 50;
/**
 * Gzipped bytes one read returns: base64 makes it 4/3 larger, and it must stay
 * under the backends' 64 KiB exec output cap with room for the header line.
 */
export const READ_CHUNK_BYTES = 45 * 1024;

export interface SpoolEntry {
  name: string;
  size: number;
  /** Modification time, Unix seconds. */
  mtime: number;
}

/** Regular files (not links) in the spool, one `<size> <mtime> <name>` line each, newest first, bounded. */
export const LIST_SCRIPT = `cd ${PICTURE_SPOOL_DIR} 2>/dev/null || exit 0
for f in flame-*.json charts-*.json; do
  [ -f "$f" ] && [ ! -L "$f" ] && stat -c '%s %Y %n' -- "$f"
done | sort -k2,2nr | head -n ${MAX_LISTED_FILES}
exit 0
`;

export function parseSpoolListing(stdout: string): SpoolEntry[] {
  const out: SpoolEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\d{1,15}) (\d{1,15}) (\S+)$/.exec(line);
    if (!m || !isPictureName(m[3])) continue;
    out.push({ size: Number(m[1]), mtime: Number(m[2]), name: m[3] });
  }
  // Newest first; the name (which holds the creation time in ms) breaks ties within a second.
  return out.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name)).slice(0, MAX_LISTED_FILES);
}

/**
 * One slice of a spool file, gzipped then base64: `missing`, `too-big <size>`,
 * or `size <size>` followed by a line of base64. gzip -n is deterministic, so
 * the slices of successive reads join into one stream. Env: KDLABS_PICTURE, KDLABS_OFFSET.
 */
export const READ_CHUNK_SCRIPT = `f="${PICTURE_SPOOL_DIR}/$KDLABS_PICTURE"
if [ -L "$f" ] || [ ! -f "$f" ]; then echo missing; exit 0; fi
size=$(stat -c %s -- "$f") || { echo missing; exit 0; }
if [ "$size" -gt ${MAX_PICTURE_BYTES} ]; then echo "too-big $size"; exit 0; fi
echo "size $size"
gzip -nc -- "$f" | tail -c +$((KDLABS_OFFSET + 1)) | head -c ${READ_CHUNK_BYTES} | base64 -w0
echo
exit 0
`;

export type ChunkReply =
  | { kind: 'missing' }
  | { kind: 'too-big'; size: number }
  | { kind: 'data'; size: number; bytes: Buffer }
  | { kind: 'garbled'; detail: string };

export function parseChunkReply(stdout: string): ChunkReply {
  const [head = '', body = ''] = stdout.split('\n');
  if (head === 'missing') return { kind: 'missing' };
  const big = /^too-big (\d{1,15})$/.exec(head);
  if (big) return { kind: 'too-big', size: Number(big[1]) };
  const ok = /^size (\d{1,15})$/.exec(head);
  if (!ok) return { kind: 'garbled', detail: `unexpected first line ${JSON.stringify(head.slice(0, 80))}` };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return { kind: 'garbled', detail: 'the data is not base64' };
  return { kind: 'data', size: Number(ok[1]), bytes: Buffer.from(body, 'base64') };
}
