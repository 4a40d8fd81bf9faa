// The image a lab runs: a Docker image for container labs, a VM image folder for VM labs.
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { ImageBuilder } from './image-builder.ts';
import type { VmImageBuilder } from './vm-image-builder.ts';

export type ImageResolver = (lab: ResolvedLab, onProgress: (message: string) => void) => Promise<string>;

export function labImageResolver(containers: ImageBuilder, vms: VmImageBuilder): ImageResolver {
  return (lab, onProgress) => (lab.backend === 'vm' ? vms.ensureVmImage(lab, onProgress) : containers.ensureLabImage(lab, onProgress));
}
