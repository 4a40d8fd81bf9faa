// `labs build` of a VM lab ends by saving the lab's VM state (boot once, run
// its vm.prepare, save), so the first Start of that lab restores in about a
// second instead of booting for a minute on software emulation.
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { QemuBackend } from '../backends/qemu/index.ts';

/** Saves (or finds) the lab's state on the VM image `imageDir`; false when there is none (said why on stderr). */
export async function saveVmLabState(lab: ResolvedLab, imageDir: string): Promise<boolean> {
  const backend = new QemuBackend({ runnerName: `build-${process.pid}`, log: (l) => console.log(l) });
  const pre = await backend.preflight();
  if (!pre.ok) {
    console.error(`${lab.id}: no saved VM state (${pre.error.message}); its sessions will boot the VM`);
    return false;
  }
  const t0 = Date.now();
  // Ctrl-C (or a kill) during the save: end its QEMU too, then leave with the signal's status.
  const interrupted = (sig: NodeJS.Signals): void => {
    console.error(`\n${sig}: stopping the VM that saves ${lab.id}…`);
    backend.stopSaves().then(() => process.exit(sig === 'SIGINT' ? 130 : 143), () => process.exit(1));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let saved;
  try {
    saved = await backend.saveState(lab, imageDir);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  if (!saved) {
    console.error(`${lab.id}: saving the VM state failed (see above); its sessions will boot the VM`);
    return false;
  }
  const fresh = Date.now() - t0 > 1000;
  console.log(`${lab.id}: saved VM state ${saved.meta.key} ${fresh ? `made in ${((Date.now() - t0) / 1000).toFixed(0)} s` : 'already there'} (restored at each start)`);
  return true;
}
