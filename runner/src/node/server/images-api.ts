// GET /api/images: where each lab's image stands (the host page's list, each
// Start button's "building image: step k of n"). Anyone may ask: it names
// labs and build steps, nothing of a learner's.
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { ImageStatus, ImageStatusResponse, LabImageStatus } from '../../common/image-status.ts';
import type { BuildBoard } from '../images/build-board.ts';
import { sendJson } from './http-util.ts';
import type { Route } from './api.ts';

export interface ImageRoutesContext {
  labs: ReadonlyMap<string, ResolvedLab>;
  board: BuildBoard;
  /** Is the VM labs' shared image built? (a quick look at its directory) */
  vmImageReady: () => boolean;
}

export function imageRoutes(ctx: ImageRoutesContext): Route[] {
  return [
    ['GET', /^\/api\/images$/, async (_req, res) => {
      const vmReady = ctx.vmImageReady();
      const body: ImageStatusResponse = { images: [...ctx.labs.values()].map((l) => labStatus(l, ctx.board.get(l.id), vmReady)) };
      sendJson(res, 200, body);
    }],
  ];
}

function labStatus(lab: ResolvedLab, onBoard: ImageStatus | null, vmReady: boolean): LabImageStatus {
  // A VM lab no start has built for: its shared image is there, or it is built at the first start.
  if (!onBoard && lab.backend === 'vm' && vmReady) return { ...empty(lab.id, 'ready'), backend: lab.backend };
  return { ...(onBoard ?? empty(lab.id, 'unknown')), backend: lab.backend };
}

function empty(labId: string, state: ImageStatus['state']): ImageStatus {
  return { labId, state, image: null, step: null, line: '', error: null, startedAt: null, finishedAt: null };
}
