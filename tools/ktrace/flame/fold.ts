// Folding stacks: `perf script` text in, "root;caller;leaf count" lines out, as
// Brendan Gregg's stackcollapse-perf.pl does, so the flame graph and the text
// view read the same numbers.

/** Folded stacks: "comm;outer;...;leaf" -> samples. */
export type Folded = ReadonlyMap<string, number>;

/** A sample header: "comm pid[/tid] [cpu] time: [period] event:" — comm may hold spaces. */
const HEADER = /^(\S.*?)\s+(\d+)(?:\/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:/;
/** A frame: "addr symbol+0xoff (dso)"; perf writes the leaf first. */
const FRAME = /^\s+(?:([0-9a-f]+)\s+)?(.*?)\s*\(([^()]*)\)\s*$/;
/** Kernel text lives in the top half of the address space (x86-64, arm64). */
const KERNEL_ADDR = /^f{4}[0-9a-f]{12}$/;
const KERNEL = '[kernel]';

/**
 * The frame's name as flamegraph.pl shows it: no offset, no ';', unknown code
 * named by its file — or `[kernel]` for kernel addresses perf could not name
 * (in a container /proc/kallsyms hides them).
 */
export function frameName(symbol: string, dso: string, addr = ''): string {
  const sym = symbol.replace(/\+0x[0-9a-f]+$/, '').trim();
  if (sym === '' || sym === '[unknown]') {
    if (KERNEL_ADDR.test(addr)) return KERNEL;
    const file = (dso.split('/').pop() ?? '').replace(/^\[(.*)\]$/, '$1');
    return file === '' || file === 'unknown' ? '[unknown]' : `[${file}]`;
  }
  return sym.replace(/;/g, ':');
}

/** Folds `perf script` output (default fields, with -g call chains). */
export function foldPerfScript(text: string): Map<string, number> {
  const folded = new Map<string, number>();
  let comm: string | null = null;
  let frames: string[] = [];
  const flush = () => {
    if (comm !== null) {
      const key = [comm.replace(/;/g, ':'), ...frames.reverse()].join(';');
      folded.set(key, (folded.get(key) ?? 0) + 1);
    }
    comm = null;
    frames = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') { flush(); continue; }
    const header = /^\S/.test(line) ? HEADER.exec(line) : null;
    if (header) {
      flush();
      comm = header[1] ?? '';
      continue;
    }
    if (comm === null) continue; // a header we could not read, or perf's own chatter
    const frame = FRAME.exec(line);
    if (!frame) continue;
    const name = frameName(frame[2] ?? '', frame[3] ?? '', frame[1] ?? '');
    // A run of unnamed kernel frames says no more than one does.
    if (!(name === KERNEL && frames[frames.length - 1] === KERNEL)) frames.push(name);
  }
  flush();
  return folded;
}

/** Reads folded lines back ("a;b;c 12"); the count is after the last space. */
export function parseFolded(text: string): Map<string, number> {
  const folded = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const at = line.lastIndexOf(' ');
    if (at <= 0) continue;
    const n = Number(line.slice(at + 1));
    if (!Number.isInteger(n) || n <= 0) continue;
    const key = line.slice(0, at);
    folded.set(key, (folded.get(key) ?? 0) + n);
  }
  return folded;
}

/** Whether text looks like folded stacks rather than `perf script` output. */
export function looksFolded(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && /^\S.*\s\d+\s*$/.test(first) && !HEADER.test(first);
}

/** Folded lines, sorted by stack so the output is stable. */
export function formatFolded(folded: Folded): string {
  return [...folded.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([stack, n]) => `${stack} ${n}\n`)
    .join('');
}
