// One spool file's text → a validated Picture, or a message naming what is wrong
// with it. The file was written inside the lab, where the learner is root: it
// may be anything, so nothing reaches a browser before pictureSchema accepts it.
import { MAX_PICTURE_BYTES, PICTURE_NAME_PATTERN, pictureSchema, type Picture, type PictureSummary } from '../../common/pictures.ts';

/** Problems named in an invalid picture's message: enough to fix the writer, short enough to read. */
const SHOWN_ISSUES = 3;

export function isPictureName(name: unknown): name is string {
  return typeof name === 'string' && PICTURE_NAME_PATTERN.test(name);
}

export type ParsedPicture = { ok: true; picture: Picture } | { ok: false; problem: string };

export function parsePictureText(text: string): ParsedPicture {
  if (Buffer.byteLength(text) > MAX_PICTURE_BYTES) return { ok: false, problem: `it is larger than ${MAX_PICTURE_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `it is not JSON (${(e as Error).message})` };
  }
  const r = pictureSchema.safeParse(json);
  if (r.success) return { ok: true, picture: r.data };
  const issues = r.error.issues.slice(0, SHOWN_ISSUES).map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  const more = r.error.issues.length > SHOWN_ISSUES ? ` (and ${r.error.issues.length - SHOWN_ISSUES} more)` : '';
  return { ok: false, problem: `it does not match the picture format: ${issues.join('; ')}${more}` };
}

export function summaryOf(name: string, p: Picture): PictureSummary {
  return { name, kind: p.kind, title: p.title, createdAt: p.createdAt };
}
