// Is the checks' tool set in the guest still the one on the runner's read-only lab
// files disk? Root in the guest cannot write that disk, but can cover it: a bind
// mount over its tool folder, a tmpfs over /opt or /opt/lab, or /opt moved aside
// and a look-alike folder put in its place. Each shows in the guest agent's
// /proc/self/mountinfo (read by the agent itself, no program run), and the disk's
// device number is recorded when the VM starts, before the learner has a shell.

export interface MountEntry {
  /** major:minor of the mounted file system's device. */
  readonly dev: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: readonly string[];
}

/** /proc/<pid>/mountinfo lines (proc(5)), in mount order; malformed lines are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (f.length < 10 || dash < 6 || f[dash + 1] === undefined) continue;
    entries.push({ dev: f[2]!, mountPoint: unescapeOctal(f[4]!), options: f[5]!.split(','), fsType: f[dash + 1]! });
  }
  return entries;
}

/** Mount points escape space, tab, newline and backslash as \ooo. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function covers(mountPoint: string, path: string): boolean {
  return mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
}

/** The device of the file system mounted at `labDir`, or null when nothing is. */
export function labDiskDev(entries: readonly MountEntry[], labDir: string): string | null {
  return entries.filter((e) => e.mountPoint === labDir).at(-1)?.dev ?? null;
}

/**
 * Why `toolsDir` is not served by the lab disk (device `dev`, read-only, at
 * `labDir`) with nothing mounted over or under it; null when it is. The last
 * mount covering a path is the one that shows there.
 */
export function labMountProblem(entries: readonly MountEntry[], dev: string, labDir: string, toolsDir: string): string | null {
  const shown = entries.filter((e) => covers(e.mountPoint, toolsDir)).at(-1);
  if (!shown || shown.mountPoint !== labDir) {
    return `${toolsDir} is not on the lab files disk at ${labDir} (${shown ? `${shown.fsType} mounted at ${shown.mountPoint} covers it` : 'nothing is mounted there'})`;
  }
  if (shown.dev !== dev) return `${labDir} is a different file system (device ${shown.dev}, ${shown.fsType}) from the lab files disk (device ${dev})`;
  if (!shown.options.includes('ro')) return `${labDir} is mounted read-write`;
  const under = entries.find((e) => e.mountPoint.startsWith(`${labDir}/`));
  if (under) return `${under.fsType} is mounted at ${under.mountPoint}, inside the lab files disk`;
  return null;
}
