// Content hash of an image recipe: the files that define it plus the hash of
// what it builds on. Same recipe → same tag → never rebuilt; any change → new tag.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Tag length: 12 hex characters (48 bits) is plenty to tell recipes apart. */
const TAG_LENGTH = 12;

/** Every file under `dir`, sorted; `skipDir` leaves out whole folders. */
export function listFiles(dir: string, skipDir: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) { if (!skipDir(p)) walk(p); }
      else if (st.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Hash of every file under `dirs` (path, mode and content) and of `extra` strings. */
export function recipeHash(dirs: string[], extra: string[] = []): string {
  const h = createHash('sha256');
  for (const e of extra) h.update(`extra:${e}\0`);
  for (const dir of dirs) {
    for (const file of listFiles(dir)) {
      const mode = statSync(file).mode & 0o111 ? 'x' : '-';
      h.update(`file:${relative(dir, file)}:${mode}\0`);
      h.update(readFileSync(file));
      h.update('\0');
    }
  }
  return h.digest('hex').slice(0, TAG_LENGTH);
}
