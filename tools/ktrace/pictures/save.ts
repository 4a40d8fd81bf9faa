// Saving a picture as the CLI does it: into the spool, then one stderr line the
// runner parses (SAVED_PREFIX + the full path) and the terminal notification.
import type { Picture } from '../../../runner/src/common/pictures.ts';
import { MAX_COMMAND_CHARS } from './limits.ts';
import { notifyPicture } from './notify.ts';
import { savePicture, spoolDir, type Saved } from './spool.ts';

/** The exact start of the line the runner looks for on stderr. */
export const SAVED_PREFIX = 'ktrace: picture saved: ';

/** The command as a shell would take it back: `ktrace flame --title 'my run'`. */
export function commandLine(argv: readonly string[]): string {
  const quote = (a: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const line = ['ktrace', ...argv.map(quote)].join(' ');
  return line.length <= MAX_COMMAND_CHARS ? line : `${line.slice(0, MAX_COMMAND_CHARS - 1)}…`;
}

export function saveAndAnnounce(picture: Picture, what: string, dir = spoolDir()): Saved {
  const saved = savePicture(picture, what, dir);
  process.stderr.write(`${SAVED_PREFIX}${saved.path}\n`);
  notifyPicture(saved.name);
  return saved;
}
