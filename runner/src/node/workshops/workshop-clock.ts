// Enforces workshop end times on running labs: learners' terminals get a
// notice WORKSHOP_END_WARNING_MS before the end, and at the end (or when the
// instructor closes the workshop) their labs are stopped. Progress stays.
import { workshopState } from '../../common/workshop.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { ProgressStore } from '../progress/progress-store.ts';
import { fireAndForget } from '../util/unexpected-error.ts';
import { SAY_WORKSHOP } from './workshop-words.ts';

/** Time to finish a thought and run a last check before the labs stop. */
export const WORKSHOP_END_WARNING_MS = 5 * 60_000;
/** How often end times are looked at; a lab may outlive its workshop by up to this. */
export const WORKSHOP_TICK_MS = 5_000;

export class WorkshopClock {
  private readonly warned = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly store: ProgressStore,
    private readonly manager: SessionManager,
    tickMs = WORKSHOP_TICK_MS,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.timer = setInterval(() => this.tickInBackground(), tickMs);
    this.timer.unref();
  }

  /** One tick at a time; a failing tick is logged and the next one tries again. */
  private tickInBackground(): void {
    if (this.running) return;
    this.running = true;
    fireAndForget(this.tick().finally(() => { this.running = false; }), 'the workshop clock');
  }

  async tick(): Promise<void> {
    const now = this.now();
    const byWorkshop = new Map<string, ReturnType<SessionManager['list']>>();
    for (const s of this.manager.live()) {
      const w = s.owner.workshopId;
      if (w === null) continue;
      byWorkshop.set(w, [...(byWorkshop.get(w) ?? []), s]);
    }
    for (const [id, sessions] of byWorkshop) {
      const w = this.store.workshop(id);
      const state = w ? workshopState(w, now) : 'closed';
      if (state === 'ended' || state === 'closed') {
        this.log(`workshop ${id} ${state}: stopping ${sessions.length} lab(s)`);
        for (const s of sessions) {
          s.notify((l) => ({ type: 'notice', code: 'workshop-ended', message: SAY_WORKSHOP.ended()[l], deadline: null }));
          await this.manager.stop(s.id, 'workshop-ended');
        }
        continue;
      }
      if (w && state === 'open' && w.endsAt - now <= WORKSHOP_END_WARNING_MS) {
        const deadline = new Date(w.endsAt).toISOString();
        const mins = Math.max(1, Math.round((w.endsAt - now) / 60_000));
        for (const s of sessions) {
          if (this.warned.has(s.id)) continue;
          // Warned once a terminal showed it; one that attaches later is told at the next tick.
          const told = s.notify((l) => ({ type: 'notice', code: 'workshop-ending', message: SAY_WORKSHOP.endingSoon(mins)[l], deadline }));
          if (told > 0) this.warned.add(s.id);
        }
      }
    }
    const live = new Set(this.manager.live().map((s) => s.id));
    for (const id of this.warned) if (!live.has(id)) this.warned.delete(id);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
