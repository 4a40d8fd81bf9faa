// Builds lab images from recipes, each tagged by its recipe hash:
//   kdlabs/rootfs:<h>  debootstrap bookworm → docker import
//   kdlabs/base:<h>    rootfs + bundled tools      (vm-images/container/base)
//   kdlabs/lab-<id>:<h> base + the lab's image/ folder, when it has one
// An image whose tag exists is never rebuilt. Progress goes to `onProgress`.
import type Docker from 'dockerode';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recipeHash, listFiles } from './recipe-hash.ts';
import { VM_IMAGES_DIR, TOOLS_DIR } from '../util/paths.ts';
import type { ResolvedLab } from '../../common/lab-schema.ts';

export const IMAGE_REPO = 'kdlabs';
const ROOTFS_DIR = join(VM_IMAGES_DIR, 'container', 'rootfs');
const BASE_DIR = join(VM_IMAGES_DIR, 'container', 'base');
const MIRROR = process.env.KDLABS_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const SECURITY_MIRROR = process.env.KDLABS_DEBIAN_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security';

export type Progress = (line: string) => void;

interface RootfsRecipe { suite: string; variant: string; include: string[]; components: string[] }

interface SharedRecipes { rootfsRef: string; toolsDist: string; baseRef: string }
interface PlannedImage { ref: string; label: string; exists: boolean; build: (p: Progress) => Promise<void> }

export class ImageBuilder {
  /** One build per lab image at a time, shared by every caller that asks for it. */
  private readonly inFlight = new Map<string, Promise<string>>();
  /** One build per image of any plan: two labs needing the same missing base build it once. */
  private readonly imageBuilds = new Map<string, Promise<void>>();
  private shared: { fingerprint: string; value: Promise<SharedRecipes> } | null = null;

  constructor(private readonly docker: Docker) {}

  /** Image reference a lab runs, building whatever is missing. */
  async ensureLabImage(lab: ResolvedLab, onProgress: Progress = () => {}): Promise<string> {
    const plan = await this.plan(lab);
    const key = plan[plan.length - 1]!.ref;
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.runPlan(plan, onProgress).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  /** The image a lab will run, without building anything; null when it is missing. */
  async labImageIfPresent(lab: ResolvedLab): Promise<string | null> {
    const plan = await this.plan(lab);
    const last = plan[plan.length - 1]!;
    return last.exists ? last.ref : null;
  }

  private async runPlan(plan: PlannedImage[], onProgress: Progress): Promise<string> {
    const missing = plan.filter((i) => !i.exists);
    let n = 0;
    for (const image of missing) {
      n++;
      const prefix = `[image ${n}/${missing.length}] ${image.ref}`;
      const started = Date.now();
      const shared = this.imageBuilds.get(image.ref);
      if (shared) {
        onProgress(`${prefix}: being built for another lab; waiting for it`);
        await shared;
      } else {
        onProgress(`${prefix}: building (${image.label})`);
        const build = image.build((line) => onProgress(`${prefix}: ${line}`)).finally(() => this.imageBuilds.delete(image.ref));
        this.imageBuilds.set(image.ref, build);
        await build;
      }
      onProgress(`${prefix}: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    return plan[plan.length - 1]!.ref;
  }

  /**
   * The rootfs and base tags, which every lab shares. Bundling the tools and hashing
   * the recipes takes seconds, so it is done again only when a source file changed
   * (path, size or mtime), never on every start — and never blocking the event loop.
   */
  private sharedRecipes(): Promise<SharedRecipes> {
    const fingerprint = sourceFingerprint([ROOTFS_DIR, BASE_DIR, TOOLS_DIR]);
    if (this.shared?.fingerprint !== fingerprint) {
      const value = (async (): Promise<SharedRecipes> => {
        const rootfsRef = `${IMAGE_REPO}/rootfs:${recipeHash([ROOTFS_DIR], [MIRROR])}`;
        const toolsDist = await bundleTools();
        const baseRef = `${IMAGE_REPO}/base:${recipeHash([BASE_DIR, toolsDist], [rootfsRef, MIRROR, SECURITY_MIRROR])}`;
        return { rootfsRef, toolsDist, baseRef };
      })();
      this.shared = { fingerprint, value };
      value.catch(() => { if (this.shared?.value === value) this.shared = null; }); // a failed bundle is tried again next time
    }
    return this.shared!.value;
  }

  private async plan(lab: ResolvedLab): Promise<PlannedImage[]> {
    if (lab.image.base !== 'base') throw new Error(`lab ${lab.id}: unknown base image "${lab.image.base}" (known: base)`);
    const recipe = JSON.parse(readFileSync(join(ROOTFS_DIR, 'recipe.json'), 'utf8')) as RootfsRecipe;
    const { rootfsRef, toolsDist, baseRef } = await this.sharedRecipes();
    const plan: PlannedImage[] = [
      {
        ref: rootfsRef, label: `debootstrap ${recipe.suite} ${recipe.variant}`, exists: await this.exists(rootfsRef),
        build: (p) => this.buildRootfs(rootfsRef, recipe, p),
      },
      {
        ref: baseRef, label: 'bundled tools: strace, perf, bpftrace, bcc, gdb, sysstat, kdiag, ktrace…', exists: await this.exists(baseRef),
        build: (p) => this.dockerBuild(baseRef, BASE_DIR, { ROOTFS: rootfsRef, DEBIAN_MIRROR: MIRROR, DEBIAN_SECURITY_MIRROR: SECURITY_MIRROR }, p, [[toolsDist, 'tools']]),
      },
    ];
    const layer = lab.image.labLayerDir;
    if (layer) {
      const labRef = `${IMAGE_REPO}/lab-${lab.id}:${recipeHash([layer], [baseRef])}`;
      plan.push({
        ref: labRef, label: `lab layer labs/${lab.id}/image`, exists: await this.exists(labRef),
        build: (p) => this.dockerBuild(labRef, layer, { BASE: baseRef, DEBIAN_MIRROR: MIRROR }, p),
      });
    }
    return plan;
  }

  private async exists(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch {
      return false;
    }
  }

  private async buildRootfs(ref: string, recipe: RootfsRecipe, onProgress: Progress): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('building the root filesystem needs root (debootstrap); run as root');
    const work = mkdtempSync(join(tmpdir(), 'kdlabs-rootfs-'));
    const target = join(work, 'root');
    try {
      onProgress(`debootstrap ${recipe.suite} from ${MIRROR} (step 1 of 2)`);
      await run('debootstrap', [
        `--variant=${recipe.variant}`, `--include=${recipe.include.join(',')}`, `--components=${recipe.components.join(',')}`,
        recipe.suite, target, MIRROR,
      ], (line) => { if (/^I: (Retrieving|Validating|Extracting|Installing|Configuring|Base system)/.test(line)) onProgress(line); });
      onProgress('docker import (step 2 of 2)');
      const [repo, tag] = ref.split(':') as [string, string];
      const tar = spawn('tar', ['-C', target, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const stream = await this.docker.importImage(tar.stdout, { repo, tag, changes: ['CMD ["/bin/bash"]'] } as Record<string, unknown>);
      await this.follow(stream, onProgress);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  private async dockerBuild(
    ref: string, contextDir: string, buildargs: Record<string, string>, onProgress: Progress,
    extraDirs: Array<[string, string]> = [],
  ): Promise<void> {
    // Copy the context so extra folders (the bundled tools) can sit inside it.
    const ctx = mkdtempSync(join(tmpdir(), 'kdlabs-ctx-'));
    try {
      cpSync(contextDir, ctx, { recursive: true });
      for (const [src, dest] of extraDirs) cpSync(src, join(ctx, dest), { recursive: true });
      const src = listFiles(ctx).map((f) => f.slice(ctx.length + 1));
      const stream = await this.docker.buildImage({ context: ctx, src }, {
        t: ref, buildargs, networkmode: 'host', rm: true, forcerm: true,
        labels: { 'kdlabs.recipe': ref },
      });
      await this.follow(stream, onProgress);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }

  /** Relays build output: Docker's "Step N/M" lines and what apt is installing. */
  private follow(stream: NodeJS.ReadableStream, onProgress: Progress): Promise<void> {
    return new Promise((resolve, reject) => {
      let failure: string | null = null;
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : failure ? reject(new Error(failure)) : resolve()),
        (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) failure = event.errorDetail?.message ?? event.error;
          for (const line of (event.stream ?? event.status ?? '').split('\n')) {
            const l = line.trim();
            if (/^Step \d+\/\d+/.test(l) || /^(Get:\d+|Unpacking|Setting up|Successfully|E:)/.test(l)) onProgress(l.slice(0, 160));
          }
        },
      );
    });
  }
}

/**
 * Bundles kdiag and ktrace (tools/build.mjs) into a folder that goes into the
 * base image. Without the tools source the folder holds only a note, so an
 * image can still be built.
 */
export async function bundleTools(): Promise<string> {
  const out = toolsDist();
  if (existsSync(TOOLS_BUILD)) {
    await run(process.execPath, [TOOLS_BUILD], () => {}).catch((e: unknown) => {
      throw new Error(`bundling kdiag/ktrace failed: ${(e as Error).message}`);
    });
  }
  return out;
}

/** The same, blocking: only for one-shot commands (the VM recipe hash), never on a runner's request path. */
export function bundleToolsSync(): string {
  const out = toolsDist();
  if (existsSync(TOOLS_BUILD)) {
    const r = spawnSync(process.execPath, [TOOLS_BUILD], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bundling kdiag/ktrace failed: ${`${r.stderr || r.stdout || `exit ${r.status}`}`.trim()}`);
  }
  return out;
}

const TOOLS_BUILD = join(TOOLS_DIR, 'build.mjs');

function toolsDist(): string {
  const out = join(TOOLS_DIR, 'dist');
  mkdirSync(out, { recursive: true });
  const readme = join(out, 'README');
  const text = 'kdlabs tools bundled into lab images (built by tools/build.mjs).\n';
  // Rewritten only when it differs: a concurrent build hashing dist/ must not catch it empty.
  if (!existsSync(readme) || readFileSync(readme, 'utf8') !== text) writeFileSync(readme, text);
  return out;
}

/** Cheap change detector for recipe sources: every file's path, size and mtime (the bundle output excluded). */
function sourceFingerprint(dirs: string[]): string {
  const h = createHash('sha256');
  for (const dir of dirs) {
    for (const file of listFiles(dir, (p) => p === join(TOOLS_DIR, 'dist') || p.endsWith('/node_modules') || /\/\.build-\d+$/.test(p))) {
      const st = statSync(file);
      h.update(`${file}:${st.size}:${st.mtimeMs}\0`);
    }
  }
  return h.digest('hex');
}

function run(cmd: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const feed = (chunk: Buffer): void => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) onLine(line.trim());
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', (e) => reject(new Error(`${cmd} could not start (${e.message}); install it with: apt-get install -y ${cmd}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${tail.trim().split('\n').slice(-5).join(' | ')}`))));
  });
}
