// The checks' own tools for VM labs: static bash and busybox from the built image,
// the check helpers shared with the container base image, and module-lab.sh. The
// builder stages them next to the image; each VM's read-only lab files disk carries
// them (backends/qemu/disks.ts), so the learner, root in the guest but not owner of
// that disk, cannot replace them, and no dynamic loader (LD_PRELOAD,
// /etc/ld.so.preload) runs in them.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VM_IMAGES_DIR } from '../util/paths.ts';

/** Inside a built image's directory. */
export const VM_CHECK_TOOLS_SUBDIR = 'check-tools';
/** Where the lab files disk is mounted in the guest (configure.sh's fstab). */
export const GUEST_LAB_DIR = '/opt/lab';
/** The tool set in the guest: a hidden folder of the read-only lab files disk. */
export const GUEST_CHECK_TOOLS_DIR = `${GUEST_LAB_DIR}/.kdlabs-check`;
/** Where the container base image keeps the same tool set (its Dockerfile; container.ts mounts it). */
export const CONTAINER_CHECK_TOOLS_DIR = '/opt/kdlabs-check';
/** The same helpers the container labs' checks use; their `#!` names the container's path. */
const SHARED_HELPERS_DIR = join(VM_IMAGES_DIR, 'container', 'base', 'files');
/** Helper file in the base image → its name in the tool set. */
const SHARED_HELPERS: ReadonlyArray<readonly [string, string]> = [['proc-age', 'proc-age'], ['check-date', 'date']];
/** bash-static and busybox-static (recipe.json), after Debian's /bin → /usr/bin merge. */
const STATIC_BASH = 'usr/bin/bash-static';
const STATIC_BUSYBOX = 'usr/bin/busybox';
const MODULE_LAB = 'usr/local/lib/kdlabs/module-lab.sh';

/** `root` is the image's file tree; the tool set goes to `dest` (bin/, lib/). Throws what is missing. */
export function stageVmCheckTools(root: string, dest: string): void {
  const bin = join(dest, 'bin');
  const lib = join(dest, 'lib');
  mkdirSync(bin, { recursive: true });
  mkdirSync(lib, { recursive: true });
  for (const [from, to] of [[STATIC_BASH, 'bash'], [STATIC_BUSYBOX, 'busybox']] as const) {
    if (!existsSync(join(root, from))) throw new Error(`the VM image has no /${from} (bash-static and busybox-static in recipe.json)`);
    copyFileSync(join(root, from), join(bin, to));
    chmodSync(join(bin, to), 0o755);
  }
  // The static busybox runs on the build host too (same architecture as the guest).
  const list = spawnSync(join(bin, 'busybox'), ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(`busybox --list failed: ${list.stderr || list.error?.message || `exit ${list.status}`}`);
  const helperNames = new Set(SHARED_HELPERS.map(([, to]) => to));
  for (const applet of list.stdout.split('\n').filter(Boolean)) {
    if (applet !== 'bash' && applet !== 'busybox' && !helperNames.has(applet)) symlinkSync('busybox', join(bin, applet));
  }
  for (const [from, to] of SHARED_HELPERS) {
    const text = readFileSync(join(SHARED_HELPERS_DIR, from), 'utf8').replaceAll(CONTAINER_CHECK_TOOLS_DIR, GUEST_CHECK_TOOLS_DIR);
    writeFileSync(join(bin, to), text, { mode: 0o755 });
  }
  copyFileSync(join(root, MODULE_LAB), join(lib, 'module-lab.sh'));
}
