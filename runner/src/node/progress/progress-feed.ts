// Tells live views (the instructor's roster stream) that a learner's progress
// changed. Listeners subscribe per workshop; `null` is the self-paced learner.
import { onUnexpectedError } from '../util/unexpected-error.ts';

export type FeedListener = (change: { workshopId: string | null; learnerId: string }) => void;

export class ProgressFeed {
  private readonly listeners = new Map<string | null, Set<FeedListener>>();

  subscribe(workshopId: string | null, fn: FeedListener): () => void {
    let set = this.listeners.get(workshopId);
    if (!set) { set = new Set(); this.listeners.set(workshopId, set); }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(workshopId);
    };
  }

  emit(workshopId: string | null, learnerId: string): void {
    for (const fn of this.listeners.get(workshopId) ?? []) {
      // A broken listener must not break recording: it is reported, the others still hear.
      try { fn({ workshopId, learnerId }); } catch (e) { onUnexpectedError(e, `a progress listener of ${workshopId ?? 'the self-paced learner'}`); }
    }
  }

  get listenerCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}
