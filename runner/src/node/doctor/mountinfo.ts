// /proc/self/mountinfo, parsed: where tracefs, debugfs and the cgroup
// hierarchies are mounted and with which options (see proc(5)).

export interface Mount {
  mountPoint: string;
  fsType: string;
  source: string;
  /** Per-mount options (rw, relatime…). */
  mountOptions: string[];
  /** File-system options: for cgroup v1, the controllers (cpu, memory, name=systemd…). */
  superOptions: string[];
}

/** Octal escapes the kernel writes for space, tab, newline and backslash in paths. */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    // ID, parent, dev, root, mount point, options, [optional…], "-", type, source, super options
    if (dash < 6 || fields.length < dash + 3) continue;
    mounts.push({
      mountPoint: unescape(fields[4]!),
      fsType: fields[dash + 1]!,
      source: unescape(fields[dash + 2]!),
      mountOptions: fields[5]!.split(','),
      superOptions: (fields[dash + 3] ?? '').split(',').filter(Boolean),
    });
  }
  return mounts;
}
