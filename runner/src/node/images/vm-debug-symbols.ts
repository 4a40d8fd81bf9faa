// The debug vmlinux of the VM image's kernel, for `crash` on a vmcore: the
// one file crash needs out of Debian's linux-image-<ver>-dbg package (~860 MB
// to download, 5.6 GB unpacked). It is streamed: download → dpkg-deb
// --fsys-tarfile → tar -x of that one member, checked against the SHA256 apt
// gives, and cached by package file name (name + version) under the data dir,
// outside any image build, so a changed recipe with the same kernel reuses it.
// A .gdb_index is added on the way (gdb-add-index, from the host's gdb): crash's
// gdb then skips scanning all the DWARF at start-up — half the CPU time, which
// matters in a TCG guest.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DATA_DIR } from '../util/paths.ts';

/** Where extracted debug kernels are kept: <data dir>/vm-debug/<package file name without .deb>/vmlinux-<kernel>. */
export const DEBUG_SYMBOLS_CACHE_DIR = join(DEFAULT_DATA_DIR, 'vm-debug');
/** Progress while downloading is shown at most this often. */
const PROGRESS_INTERVAL_MS = 3000;

/** One line of `apt-get download --print-uris`: 'URL' file size SHA256:hex */
export interface DebugPackage { url: string; file: string; size: number; sha256: string }

export function parsePrintUris(text: string): DebugPackage | null {
  const m = /^'([^']+)'\s+(\S+\.deb)\s+(\d+)\s+SHA256:([0-9a-f]{64})\s*$/m.exec(text);
  return m ? { url: m[1]!, file: m[2]!, size: Number(m[3]), sha256: m[4]! } : null;
}

/** Path of the debug vmlinux inside the package (and inside the image: crash's default place). */
export const debugVmlinuxPath = (kernelVersion: string): string => `/usr/lib/debug/boot/vmlinux-${kernelVersion}`;

/**
 * The cached debug vmlinux for `kernelVersion` from `pkg`, downloading and
 * extracting it first when missing. Returns its host path.
 */
export async function ensureDebugVmlinux(
  pkg: DebugPackage, kernelVersion: string, say: (line: string) => void, cacheDir = DEBUG_SYMBOLS_CACHE_DIR,
): Promise<string> {
  const dir = join(cacheDir, pkg.file.replace(/\.deb$/, ''));
  const vmlinux = join(dir, `vmlinux-${kernelVersion}`);
  if (existsSync(vmlinux)) {
    say(`debug symbols: cached ${vmlinux} (${mib(statSync(vmlinux).size)} MiB)`);
    return vmlinux;
  }
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, '.extract-'));
  const started = Date.now();
  try {
    say(`debug symbols: streaming ${pkg.file} (${mib(pkg.size)} MiB) from ${pkg.url}, extracting only .${debugVmlinuxPath(kernelVersion)}`);
    await streamExtract(pkg, `.${debugVmlinuxPath(kernelVersion)}`, work, say);
    const got = join(work, debugVmlinuxPath(kernelVersion));
    if (!existsSync(got)) throw new Error(`${pkg.file} has no ${debugVmlinuxPath(kernelVersion)} (does the package match kernel ${kernelVersion}?)`);
    if (spawnSync('sh', ['-c', 'command -v gdb-add-index']).status === 0) {
      say('debug symbols: adding a .gdb_index (gdb-add-index; about a minute) so crash starts faster');
      await run('gdb-add-index', [got]);
    } else {
      say('debug symbols: no gdb-add-index on this host (package gdb): crash will start more slowly in the VM');
    }
    mkdirSync(dir, { recursive: true });
    renameSync(got, vmlinux); // complete files only: a killed build leaves its .extract- folder, never a half vmlinux
    say(`debug symbols: ${mib(statSync(vmlinux).size)} MiB vmlinux from ${mib(pkg.size)} MiB download in ${((Date.now() - started) / 1000).toFixed(0)} s, cached in ${dir}`);
    return vmlinux;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** HTTP body → (sha256, byte count) → dpkg-deb --fsys-tarfile - → tar -x <member>; fails on a wrong checksum or size. */
async function streamExtract(pkg: DebugPackage, member: string, into: string, say: (line: string) => void): Promise<void> {
  const res = await fetch(pkg.url);
  if (!res.ok || !res.body) throw new Error(`downloading ${pkg.url}: HTTP ${res.status}`);
  // One shell pipeline, so the tools are wired by the kernel; node feeds its stdin. `cat` first: node's
  // stdin for a child is a socket, which dpkg-deb cannot open as /dev/stdin (ENXIO); a pipe it can.
  const child = spawn('bash', ['-c', 'set -o pipefail; cat | dpkg-deb --fsys-tarfile /dev/stdin | tar -x -C "$1" "$2"', 'bash', into, member],
    { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stdin.on('error', () => { /* the tools died early: their exit code and stderr say why */ });
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const exited = new Promise<number | null>((resolve, reject) => { child.on('error', reject); child.on('close', resolve); });
  const hash = createHash('sha256');
  let bytes = 0;
  let last = Date.now();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      if (Date.now() - last >= PROGRESS_INTERVAL_MS) {
        last = Date.now();
        say(`debug symbols: ${mib(bytes)} of ${mib(pkg.size)} MiB downloaded and unpacked (${Math.floor((bytes / pkg.size) * 100)}%)`);
      }
      if (!child.stdin.write(chunk)) await Promise.race([new Promise((r) => child.stdin.once('drain', r)), exited]);
      if (child.exitCode !== null) break;
    }
  } finally {
    child.stdin.end();
  }
  const code = await exited;
  if (code !== 0) throw new Error(`extracting ${member} from ${pkg.file} failed (exit ${code}): ${stderr.trim()}`);
  if (bytes !== pkg.size) throw new Error(`downloading ${pkg.file}: got ${bytes} bytes, expected ${pkg.size}`);
  const sum = hash.digest('hex');
  if (sum !== pkg.sha256) throw new Error(`${pkg.file}: SHA256 ${sum} does not match apt's ${pkg.sha256}`);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${stderr.trim()}`))));
  });
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
