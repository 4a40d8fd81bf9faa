// Workshops: an instructor (the owner) creates one with chosen labs, a time
// window and a seat limit; learners join with the join code and a name and get
// their own bearer token. Only the SHA-256 of a learner token is stored.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { HOST_ROOT_MEANING, hostRootReasons } from '../../common/host-root.ts';
import type { ApiErrorCode } from '../../common/protocol.ts';
import {
  formatJoinCode, isJoinCode, JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, normalizeJoinCode, WORKSHOP_JOIN_PATH, workshopState,
  type CreateWorkshopRequest, type JoinWorkshopResponse, type LearnerWorkshopInfo, type WorkshopInfo,
} from '../../common/workshop.ts';
import { cleanLearnerName } from '../../common/learner-name.ts';
import { workshopTimesProblem } from '../../common/workshop-times.ts';
import type { Result } from '../backends/lab-backend.ts';
import type { ProgressStore, WorkshopRow, LearnerRow } from '../progress/progress-store.ts';
import type { ProgressFeed } from '../progress/progress-feed.ts';
import { iso } from '../progress/progress-store.ts';
import { JoinLimiter } from './join-limiter.ts';
import type { Words } from '../../common/langs.ts';
import { SAY_WORKSHOP } from './workshop-words.ts';

/** `message` is the English; `words`, where given, has it in every language (the learner's page reads its own). */
export interface WorkshopError { code: ApiErrorCode; message: string; words?: Words; retryAfterSeconds?: number }

/** A learner as the API sees them after their token was checked. */
export interface LearnerIdentity { id: string; name: string; workshopId: string }

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
function randomId(prefix: string): string {
  let s = prefix;
  for (let i = 0; i < 12; i++) s += B32[randomInt(32)];
  return s;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class WorkshopService {
  private readonly limiter: JoinLimiter;

  constructor(
    private readonly store: ProgressStore,
    private readonly feed: ProgressFeed,
    private readonly labs: ReadonlyMap<string, ResolvedLab>,
    private readonly now: () => number = Date.now,
    /** `--allow-host-root-labs`: the instructor accepts labs that make each learner root on this host. */
    private readonly allowHostRootLabs = false,
  ) {
    this.limiter = new JoinLimiter(now);
  }

  create(req: CreateWorkshopRequest): Result<WorkshopInfo, WorkshopError> {
    const unknown = req.labs.filter((l) => !this.labs.has(l));
    if (unknown.length) {
      return bad('bad-request', `unknown lab${unknown.length > 1 ? 's' : ''} ${unknown.map((l) => `"${l}"`).join(', ')}; known labs: ${[...this.labs.keys()].join(', ') || '(none)'}`);
    }
    if (new Set(req.labs).size !== req.labs.length) return bad('bad-request', 'labs: each lab may be listed once');
    const reasons = new Map([...this.labs.values()].map((l) => [l.id, hostRootReasons(l)]));
    const hostRoot = this.allowHostRootLabs ? [] : req.labs.filter((l) => reasons.get(l)!.length > 0);
    if (hostRoot.length) {
      const safe = [...reasons].filter(([, r]) => r.length === 0).map(([id]) => id);
      return bad('forbidden', `${hostRoot.map((l) => `"${l}"`).join(', ')} would mean ${HOST_ROOT_MEANING} (${reasons.get(hostRoot[0]!)!.join('; ')}). `
        + `A workshop offers such labs only when the runner is started with --allow-host-root-labs. `
        + `Labs that keep learners off the host: ${safe.join(', ') || '(none here)'}.`);
    }
    const now = this.now();
    const startsAt = req.startsAt ? Date.parse(req.startsAt) : now;
    const endsAt = Date.parse(req.endsAt);
    const badTimes = workshopTimesProblem(startsAt, endsAt, now, { start: req.startsAt, end: req.endsAt });
    if (badTimes) return bad('bad-request', badTimes);
    const row: WorkshopRow = {
      id: randomId('w-'),
      title: req.title ?? `Workshop ${new Date(startsAt).toISOString().slice(0, 10)}`,
      labs: req.labs, seats: req.seats, startsAt, endsAt,
      joinCode: this.newJoinCode(),
      seed: randomBytes(32).toString('base64url'),
      createdAt: now, closedAt: null,
    };
    this.store.insertWorkshop(row);
    return { ok: true, value: this.info(row) };
  }

  list(): WorkshopInfo[] {
    return this.store.workshops().map((w) => this.info(w));
  }

  get(id: string): WorkshopInfo | null {
    const w = this.store.workshop(id);
    return w ? this.info(w) : null;
  }

  seed(id: string): string | null {
    return this.store.workshop(id)?.seed ?? null;
  }

  /** Ends a workshop now: no more joins or starts; the runner stops its learners' labs. */
  close(id: string): WorkshopInfo | null {
    if (!this.store.workshop(id)) return null;
    this.store.closeWorkshop(id, this.now());
    this.feed.emit(id, '');
    return this.get(id);
  }

  /** Is any workshop accepting learners now or later (the owner token is then not handed to browsers)? */
  anyActive(): boolean {
    const now = this.now();
    return this.store.workshops().some((w) => { const s = workshopState(w, now); return s === 'open' || s === 'scheduled'; });
  }

  /**
   * A learner joins with a code and a name. `client` names who asks (the API passes the peer's
   * address): its wrong codes, and its refused names per workshop, are what the limiter counts.
   */
  join(codeInput: string, nameInput: string, client: string): Result<JoinWorkshopResponse, WorkshopError> {
    const limited = this.limited(client);
    if (limited) return limited;
    const code = normalizeJoinCode(codeInput);
    if (!isJoinCode(code)) {
      this.limiter.fail(client);
      return bad('bad-request', SAY_WORKSHOP.notAJoinCode(codeInput, JOIN_CODE_LENGTH));
    }
    const name = cleanLearnerName(nameInput);
    if (!name.ok) return bad('bad-request', name.words);
    const w = this.store.workshopByCode(code);
    if (!w) {
      this.limiter.fail(client);
      return bad('not-found', SAY_WORKSHOP.noSuchCode(formatJoinCode(code)));
    }
    const inWorkshop = `${client} ${w.id}`;
    const limitedHere = this.limited(inWorkshop);
    if (limitedHere) return limitedHere;
    const now = this.now();
    const state = workshopState(w, now);
    if (state === 'scheduled') return bad('conflict', SAY_WORKSHOP.opensAt(w.title, iso(w.startsAt), true));
    if (state === 'ended') return bad('gone', SAY_WORKSHOP.endedAt(w.title, iso(w.endsAt)));
    if (state === 'closed') return bad('gone', SAY_WORKSHOP.closedByInstructor(w.title));
    const learner: LearnerRow = { id: randomId('l-'), workshopId: w.id, name: name.value, joinedAt: now };
    const token = randomBytes(32).toString('base64url');
    // Seat and name checks and the insert happen in one transaction: two last-seat joins cannot both win.
    const verdict = this.store.db.transaction((): WorkshopError | null => {
      const taken = this.store.seatsTaken(w.id);
      if (taken >= w.seats) return said('conflict', SAY_WORKSHOP.full(w.title, taken, w.seats));
      if (this.store.nameTaken(w.id, name.value)) {
        // Counted: a run of taken names is someone probing who is in the room.
        this.limiter.fail(inWorkshop);
        return said('conflict', SAY_WORKSHOP.nameTaken(name.value));
      }
      this.store.insertLearner(learner, hashToken(token));
      return null;
    })();
    if (verdict) return { ok: false, error: verdict };
    this.feed.emit(w.id, learner.id);
    return { ok: true, value: { learner: { id: learner.id, name: learner.name }, token, workshop: this.learnerInfo(w) } };
  }

  private limited(key: string): { ok: false; error: WorkshopError } | null {
    const blocked = this.limiter.blockedFor(key);
    if (blocked <= 0) return null;
    const secs = Math.ceil(blocked / 1000);
    return { ok: false, error: { ...said('rate-limited', SAY_WORKSHOP.tooManyJoins(secs)), retryAfterSeconds: secs } };
  }

  /** The learner a token belongs to, or null. The token is hashed first; lookups never see it. */
  authenticate(token: string): LearnerIdentity | null {
    const l = this.store.learnerByTokenHash(hashToken(token));
    return l && l.workshopId !== null ? { id: l.id, name: l.name, workshopId: l.workshopId } : null;
  }

  learnerWorkshop(workshopId: string): LearnerWorkshopInfo | null {
    const w = this.store.workshop(workshopId);
    return w ? this.learnerInfo(w) : null;
  }

  /** May this learner start this lab now? */
  admitStart(learner: LearnerIdentity, labId: string): Result<void, WorkshopError> {
    const w = this.store.workshop(learner.workshopId);
    if (!w) return bad('gone', SAY_WORKSHOP.workshopGone());
    const state = workshopState(w, this.now());
    if (state === 'scheduled') return bad('conflict', SAY_WORKSHOP.opensAt(w.title, iso(w.startsAt), false));
    if (state !== 'open') return bad('gone', SAY_WORKSHOP.noMoreStarts(w.title, state === 'closed'));
    if (!w.labs.includes(labId)) return bad('forbidden', SAY_WORKSHOP.labNotInWorkshop(labId, w.title, w.labs));
    return { ok: true, value: undefined };
  }

  private info(w: WorkshopRow): WorkshopInfo {
    return {
      id: w.id, title: w.title, labs: w.labs, seats: w.seats, seatsTaken: this.store.seatsTaken(w.id),
      startsAt: iso(w.startsAt), endsAt: iso(w.endsAt), state: workshopState(w, this.now()),
      joinCode: formatJoinCode(w.joinCode), joinPath: `${WORKSHOP_JOIN_PATH}?code=${formatJoinCode(w.joinCode)}`,
      createdAt: iso(w.createdAt),
    };
  }

  private learnerInfo(w: WorkshopRow): LearnerWorkshopInfo {
    return { id: w.id, title: w.title, labs: w.labs, startsAt: iso(w.startsAt), endsAt: iso(w.endsAt), state: workshopState(w, this.now()) };
  }

  private newJoinCode(): string {
    for (;;) {
      let code = '';
      for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
      if (!this.store.workshopByCode(code)) return code;
    }
  }
}

function bad<T>(code: ApiErrorCode, message: string | Words): Result<T, WorkshopError> {
  return { ok: false, error: typeof message === 'string' ? { code, message } : said(code, message) };
}

function said(code: ApiErrorCode, words: Words): WorkshopError {
  return { code, message: words.en, words };
}
