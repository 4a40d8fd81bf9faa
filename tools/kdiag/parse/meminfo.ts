// /proc/meminfo: "Name:   1234 kB" lines. Values with a kB unit become bytes;
// unit-less lines (HugePages_Total...) are plain counts.

export type Meminfo = ReadonlyMap<string, number>;

export function parseMeminfo(text: string): Meminfo {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (!m) continue;
    const [, key = '', num = '0'] = m;
    out.set(key, line.trimEnd().endsWith('kB') ? Number(num) * 1024 : Number(num));
  }
  return out;
}
