// Where each lab's image stands, for the host page and each lab's Start button
// ("building image: step k of n"): GET /api/images. Images build in the
// background as soon as the runner serves; a start waits for its image.
import type { Words } from './langs.ts';
import type { BackendKind } from './lab-schema.ts';

export type ImageState = 'ready' | 'queued' | 'building' | 'failed' | 'unknown';

export interface ImageStatus {
  labId: string;
  state: ImageState;
  /** Which image of the lab's plan is being built (rootfs, base, lab layer): "2 of 3". */
  image: { k: number; n: number } | null;
  /** Which step of that image's build: Docker's "Step 5/14". */
  step: { k: number; n: number } | null;
  /** The build's last line worth showing. */
  line: string;
  /** Why it failed (state failed). */
  error: string | null;
  /** When the build began and ended (ISO), for the host page's timings. */
  startedAt: string | null;
  finishedAt: string | null;
}

/** One lab's entry in GET /api/images: a VM lab's image is built at its first start, not in the background. */
export interface LabImageStatus extends ImageStatus {
  backend: BackendKind;
}

export interface ImageStatusResponse {
  images: LabImageStatus[];
}

/** "building image 2 of 3: step 5 of 14", or less where the counts are not known yet; in every language. */
export function buildingWords(s: Pick<ImageStatus, 'image' | 'step'>): Words {
  const img = s.image && s.image.n > 1 ? { en: ` ${s.image.k} of ${s.image.n}`, ko: ` (${s.image.n}개 중 ${s.image.k}번째)` } : { en: '', ko: '' };
  const step = s.step ? { en: `: step ${s.step.k} of ${s.step.n}`, ko: `: ${s.step.n}단계 중 ${s.step.k}단계` } : { en: '', ko: '' };
  return { en: `building image${img.en}${step.en}`, ko: `이미지 빌드 중${img.ko}${step.ko}` };
}
