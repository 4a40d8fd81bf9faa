// Builds the VM lab image from vm-images/vm, named by a hash of its recipe:
//   <cache>/<hash>/{vmlinuz, initrd.img, rootfs.img, manifest.json}
// debootstrap → apt and configure.sh in a chroot → mkfs.ext4 -d (no loop
// mounts). Debian packages only. Built on first use, never modified after:
// every session boots from its own qcow2 overlay on rootfs.img.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { REPO_ROOT, VM_IMAGES_DIR } from '../util/paths.ts';
import { bundleToolsSync } from './image-builder.ts';
import { recipeHash } from './recipe-hash.ts';
import { stageVmCheckTools, VM_CHECK_TOOLS_SUBDIR } from './vm-check-tools.ts';
import { debugVmlinuxPath, ensureDebugVmlinux, parsePrintUris } from './vm-debug-symbols.ts';

export const VM_RECIPE_DIR = join(VM_IMAGES_DIR, 'vm');
/**
 * Where built VM images live. Not under KDLABS_DATA_DIR on purpose: tests and
 * the benchmark run runners with throw-away data dirs and must not rebuild a
 * 1 GB image each time. Override with KDLABS_VM_IMAGES_DIR.
 */
export const VM_IMAGE_CACHE_DIR = resolve(process.env.KDLABS_VM_IMAGES_DIR ?? join(REPO_ROOT, '.data', 'vm-images'));
const MIRROR = process.env.KDLABS_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const SECURITY_MIRROR = process.env.KDLABS_DEBIAN_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security';
/** Per-package build output (hundreds of lines) is shown at most this often; milestones always. */
const NOISY_PROGRESS_INTERVAL_MS = 2000;
/** ext4 metadata and reserved blocks on top of the files, in MiB per GiB of files. */
const FS_OVERHEAD_MB_PER_GB = 100;

export type Progress = (line: string) => void;

interface VmRecipe { suite: string; variant: string; include: string[]; components: string[]; packages: string[]; headroomMb: number }

export interface VmImageManifest {
  hash: string;
  kernelVersion: string;
  kernel: string;
  initrd: string;
  rootfs: string;
  rootfsFormat: 'raw';
  /** The kernel's debug vmlinux inside the image, for `crash` (vm-debug-symbols.ts). */
  debugVmlinux?: string;
  /** The checks' own tools, for each lab's files disk (vm-check-tools.ts). */
  checkTools: string;
  builtAt: string;
}

/** The files of a built image, by absolute path; null when `dir` holds no complete image. */
export function readVmImage(dir: string): (VmImageManifest & { dir: string }) | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as VmImageManifest;
    if (typeof m.checkTools !== 'string') return null; // built before checks had their own tools: rebuild
    const abs = { ...m, dir, kernel: join(dir, m.kernel), initrd: join(dir, m.initrd), rootfs: join(dir, m.rootfs), checkTools: join(dir, m.checkTools) };
    return [abs.kernel, abs.initrd, abs.rootfs, abs.checkTools].every((f) => existsSync(f)) ? abs : null;
  } catch {
    return null;
  }
}

export class VmImageBuilder {
  /** One build per image at a time, shared by every caller that asks for it. */
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly cacheDir: string = VM_IMAGE_CACHE_DIR) {}

  /** The image directory a VM lab boots, building it when missing. */
  ensureVmImage(_lab: ResolvedLab, onProgress: Progress = () => {}): Promise<string> {
    const hash = this.hash();
    const dir = join(this.cacheDir, hash);
    if (readVmImage(dir)) return Promise.resolve(dir);
    let p = this.inFlight.get(hash);
    if (!p) {
      p = this.build(hash, onProgress).then(() => dir).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, p);
    }
    return p;
  }

  /** The image directory without building anything; null when it is missing. */
  vmImageIfPresent(_lab?: ResolvedLab): string | null {
    const dir = join(this.cacheDir, this.hash());
    return readVmImage(dir) ? dir : null;
  }

  /** Recipe hash: the recipe folder, the bundled tools and the mirrors. */
  hash(): string {
    return recipeHash([VM_RECIPE_DIR, bundleToolsSync()], [MIRROR, SECURITY_MIRROR]);
  }

  private async build(hash: string, onProgress: Progress): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('building the VM image needs root (debootstrap, chroot); run as root');
    for (const [cmd, pkg] of [['debootstrap', 'debootstrap'], ['mkfs.ext4', 'e2fsprogs'], ['unshare', 'util-linux'], ['dpkg-deb', 'dpkg'], ['tar', 'tar']] as const) {
      if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
        throw new Error(`building the VM image needs ${cmd}; install it with: apt-get install -y ${pkg} (or run scripts/ensure-prereqs.sh)`);
      }
    }
    const recipe = JSON.parse(readFileSync(join(VM_RECIPE_DIR, 'recipe.json'), 'utf8')) as VmRecipe;
    const started = Date.now();
    const say = (line: string): void => onProgress(`[vm image ${hash}] ${line}`);
    mkdirSync(this.cacheDir, { recursive: true });
    removeAbandonedBuilds(this.cacheDir);
    // Build next to the final place (same file system: the publish is one rename).
    const work = mkdtempSync(join(this.cacheDir, `.build-${hash}-`));
    writeFileSync(join(work, 'owner.pid'), String(process.pid));
    const root = join(work, 'root');
    const out = join(work, 'out');
    mkdirSync(out);
    try {
      say(`step 1/5: debootstrap ${recipe.suite} (${recipe.variant}) from ${MIRROR}`);
      const noisy = throttle(say, NOISY_PROGRESS_INTERVAL_MS);
      // In a private mount namespace: whatever debootstrap mounts inside the target dies with it.
      await run('unshare', ['--mount', '--propagation', 'private', '--', 'debootstrap',
        `--variant=${recipe.variant}`, `--include=${recipe.include.join(',')}`, `--components=${recipe.components.join(',')}`,
        recipe.suite, root, MIRROR,
      ], (line) => {
        if (/^I: (Retrieving Release|Retrieving Packages|Resolving|Checking component|Unpacking the base|Configuring the base|Base system installed)/.test(line)) say(line);
        else if (/^I: /.test(line)) noisy(line);
      });

      say(`step 2/5: apt-get install ${recipe.packages.length} packages and configure (kernel, headers, gcc, gdb, qemu-guest-agent, tools)`);
      const files = join(root, 'tmp', 'kdlabs-files');
      cpSync(join(VM_RECIPE_DIR, 'files'), files, { recursive: true });
      mkdirSync(join(files, 'opt', 'kdlabs', 'bin'), { recursive: true });
      for (const tool of ['kdiag', 'ktrace']) {
        const src = join(bundleToolsSync(), tool);
        if (existsSync(src)) cpSync(src, join(files, 'opt', 'kdlabs', 'bin', tool));
      }
      cpSync(join(VM_RECIPE_DIR, 'configure.sh'), join(root, 'tmp', 'kdlabs-configure.sh'));
      // /proc, /sys and /dev for the package scripts, in a mount namespace that ends with the chroot.
      const inChroot = 'set -e; r=$1; shift; mount -t proc proc "$r/proc"; mount -t sysfs sys "$r/sys"; mount --rbind /dev "$r/dev"; '
        + 'exec chroot "$r" /bin/bash /tmp/kdlabs-configure.sh "$@"';
      await run('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', inChroot, 'sh', root, MIRROR, SECURITY_MIRROR, ...recipe.packages],
        (line) => {
          if (/^(E:|W:|update-initramfs|Created symlink)/.test(line)) say(line.slice(0, 160));
          else if (/^(Get:\d+|Unpacking|Setting up)/.test(line)) noisy(line.slice(0, 160));
        });
      rmSync(join(root, 'tmp', 'kdlabs-configure.sh'), { force: true });
      stageVmCheckTools(root, join(out, VM_CHECK_TOOLS_SUBDIR));

      const boot = readdirSync(join(root, 'boot'));
      const vmlinuz = boot.filter((f) => f.startsWith('vmlinuz-')).sort().pop();
      if (!vmlinuz) throw new Error('the VM image has no kernel in /boot (did linux-image-amd64 install?)');
      const kernelVersion = vmlinuz.slice('vmlinuz-'.length);

      // The debug vmlinux for crash: cached outside the build (by package version), copied into the image.
      const uriFile = join(root, 'tmp', 'kdlabs-debug-uri');
      const debugPkg = parsePrintUris(readFileSync(uriFile, 'utf8'));
      if (!debugPkg) throw new Error(`configure.sh did not say where linux-image-${kernelVersion}-dbg is (${uriFile})`);
      rmSync(uriFile);
      say(`step 3/5: debug symbols for crash (${debugPkg.file})`);
      const t3 = Date.now();
      const cached = await ensureDebugVmlinux(debugPkg, kernelVersion, say);
      mkdirSync(join(root, 'usr', 'lib', 'debug', 'boot'), { recursive: true });
      cpSync(cached, join(root, debugVmlinuxPath(kernelVersion)));
      say(`step 3/5: done in ${((Date.now() - t3) / 1000).toFixed(0)} s`);

      say('step 4/5: kernel and initramfs');
      const initrd = `initrd.img-${kernelVersion}`;
      if (!boot.includes(initrd)) throw new Error(`the VM image has no ${initrd} in /boot`);
      cpSync(join(root, 'boot', vmlinuz), join(out, 'vmlinuz'));
      cpSync(join(root, 'boot', initrd), join(out, 'initrd.img'));

      const usedMb = duMb(root);
      const sizeMb = Math.ceil(usedMb * (1 + FS_OVERHEAD_MB_PER_GB / 1024)) + recipe.headroomMb;
      say(`step 5/5: mkfs.ext4 -d: ${usedMb} MiB of files into a ${sizeMb} MiB file system (sparse)`);
      assertNothingMounted(work);
      await run('mkfs.ext4', ['-q', '-F', '-L', 'kdlabs-root', '-d', root, '-E', 'root_owner=0:0', join(out, 'rootfs.img'), `${sizeMb}M`], () => {});

      const manifest: VmImageManifest = {
        hash, kernelVersion, kernel: 'vmlinuz', initrd: 'initrd.img', rootfs: 'rootfs.img', rootfsFormat: 'raw',
        debugVmlinux: debugVmlinuxPath(kernelVersion), checkTools: VM_CHECK_TOOLS_SUBDIR, builtAt: new Date().toISOString(),
      };
      writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      const final = join(this.cacheDir, hash);
      try {
        renameSync(out, final);
      } catch (e) {
        if (!readVmImage(final)) throw e; // another process published the same image first: fine
      }
      say(`built in ${((Date.now() - started) / 1000).toFixed(0)} s (kernel ${kernelVersion})`);
      pruneOldImages(this.cacheDir, hash);
    } finally {
      assertNothingMounted(work);
      rmSync(work, { recursive: true, force: true });
    }
  }
}

/**
 * Keeps the new image and the newest older one (a runner of the previous
 * checkout may still start labs from it); removes the rest. Running VMs are
 * unaffected: their overlays hold the base image open.
 */
function pruneOldImages(cacheDir: string, current: string): void {
  const older = readdirSync(cacheDir)
    .filter((n) => n !== current && /^[0-9a-f]{12}$/.test(n))
    .map((n) => ({ n, t: statSync(join(cacheDir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of older.slice(1)) rmSync(join(cacheDir, n), { recursive: true, force: true });
}

/** Removes build folders whose builder process is gone (killed mid-build). */
function removeAbandonedBuilds(cacheDir: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('.build-')) continue;
    const dir = join(cacheDir, name);
    let pid = NaN;
    try { pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8')); } catch { /* no owner recorded */ }
    if (Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`)) continue;
    assertNothingMounted(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Refuses to go on (and above all to delete) while anything is mounted under `dir`. */
function assertNothingMounted(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '');
  const inside = mounts.filter((m) => m === dir || m.startsWith(`${dir}/`));
  if (inside.length) throw new Error(`refusing to continue: ${inside.join(', ')} still mounted (unmount them, then delete ${dir})`);
}

function duMb(dir: string): number {
  const r = spawnSync('du', ['-sm', '-x', dir], { encoding: 'utf8' });
  const mb = Number(r.stdout.split('\t')[0]);
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`du ${dir} failed: ${r.stderr}`);
  return mb;
}

function throttle(fn: (line: string) => void, ms: number): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = Date.now();
    if (now - last >= ms) { last = now; fn(line); }
  };
}

function run(cmd: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C.UTF-8' } });
    let tail = '';
    let partial = '';
    const feed = (chunk: Buffer): void => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line.trim());
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', (e) => reject(new Error(`${cmd} could not start (${e.message})`)));
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} exited ${code}: ${tail.trim().split('\n').slice(-8).join(' | ')}`))));
  });
}

/** Size on disk of a built image, for messages. */
export function imageSizeMb(dir: string): number {
  let bytes = 0;
  for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).blocks * 512;
  return Math.round(bytes / 1024 / 1024);
}
