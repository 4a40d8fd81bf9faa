// Where things are on disk, relative to this checkout.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
/** The labs the runner and the site load; override with KDLABS_LABS_DIR (a lab author's own folder). */
export const LABS_DIR = resolve(process.env.KDLABS_LABS_DIR ?? resolve(REPO_ROOT, 'labs'));
export const VM_IMAGES_DIR = resolve(REPO_ROOT, 'vm-images');
export const TOOLS_DIR = resolve(REPO_ROOT, 'tools');
/** Runner state (owner token, later the progress database); override with KDLABS_DATA_DIR. */
export const DEFAULT_DATA_DIR = resolve(process.env.KDLABS_DATA_DIR ?? resolve(REPO_ROOT, '.data'));
