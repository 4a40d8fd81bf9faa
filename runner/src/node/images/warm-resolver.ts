// The image a session starts from, when images warm in the background: a
// container lab's comes from the warmer (its build joined, or moved to the
// front), and the start's progress mirrors the board ("building image 2 of 3:
// step 5 of 14") in every language. A VM lab's image is built on its first
// start, and the board shows that build too (the host page's list).
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { buildingWords } from '../../common/image-status.ts';
import type { Words } from '../../common/langs.ts';
import type { BuildBoard } from './build-board.ts';
import type { ImageWarmer } from './image-warmer.ts';
import type { VmImageBuilder } from './vm-image-builder.ts';

export type ProgressNote = string | Words;

export function warmResolver(warmer: ImageWarmer, board: BuildBoard, vms: VmImageBuilder) {
  const vmImage = async (lab: ResolvedLab, onProgress: (note: ProgressNote) => void): Promise<string> => {
    // Hashing the recipe takes ~0.4 s of the event loop: once, not again inside ensureVmImage.
    const ready = vms.vmImageIfPresent();
    if (ready) return ready;
    const onBoard = board.progress(lab.id);
    try {
      const dir = await vms.ensureVmImage(lab, (line) => { onBoard(line); onProgress(line); });
      board.set(lab.id, 'ready');
      return dir;
    } catch (e) {
      board.set(lab.id, 'failed', (e as Error).message);
      throw e;
    }
  };
  return async (lab: ResolvedLab, onProgress: (note: ProgressNote) => void): Promise<string> => {
    if (lab.backend === 'vm') return vmImage(lab, onProgress);
    let last = '';
    const off = board.onChange((s) => {
      // Only a build that prints: an image that exists is looked up in a moment and says nothing.
      if (s.labId !== lab.id || s.state !== 'building' || !s.line) return;
      const words = buildingWords(s);
      if (words.en !== last) { last = words.en; onProgress(words); }
    });
    try {
      return await warmer.ensure(lab);
    } finally {
      off();
    }
  };
}
