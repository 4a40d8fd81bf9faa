// Who is asking: the owner (the local learner and workshop instructor) or a
// workshop learner, from the request's bearer token. Session tokens are
// checked where a session is named (api.ts); they identify no person.
import type { IncomingMessage } from 'node:http';
import type { LearnerIdentity } from '../workshops/workshop-service.ts';
import { LOCAL_LEARNER_ID } from '../../common/workshop.ts';
import { requestToken, sameToken } from './security.ts';
import { HttpError } from './http-util.ts';

export type Identity =
  | { kind: 'owner'; learnerId: typeof LOCAL_LEARNER_ID; workshopId: null }
  | { kind: 'learner'; learnerId: string; workshopId: string; learner: LearnerIdentity };

export type LearnerAuthenticator = (token: string) => LearnerIdentity | null;

export function identify(req: IncomingMessage, url: URL, ownerToken: string, learners: LearnerAuthenticator | undefined): Identity | null {
  const token = requestToken(req, url);
  if (token === null) return null;
  if (sameToken(token, ownerToken)) return { kind: 'owner', learnerId: LOCAL_LEARNER_ID, workshopId: null };
  const learner = learners?.(token);
  return learner ? { kind: 'learner', learnerId: learner.id, workshopId: learner.workshopId, learner } : null;
}

/** The owner or a learner; anything else is refused with a message naming both tokens. */
export function requirePerson(req: IncomingMessage, url: URL, ownerToken: string, learners: LearnerAuthenticator | undefined): Identity {
  const who = identify(req, url, ownerToken, learners);
  if (!who) {
    throw new HttpError('unauthorized', 'this needs the owner token (.data/owner-token) or a workshop learner token (from POST /api/workshops/join), as Authorization: Bearer <token>');
  }
  return who;
}

/** The owner only: a learner's token is valid but not enough (403), anything else is unauthorized (401). */
export function requireOwnerIdentity(req: IncomingMessage, url: URL, ownerToken: string, learners: LearnerAuthenticator | undefined): void {
  const who = identify(req, url, ownerToken, learners);
  if (who?.kind === 'owner') return;
  if (who?.kind === 'learner') throw new HttpError('forbidden', 'this is for the instructor (the runner owner token); a learner token cannot use it');
  throw new HttpError('unauthorized', 'this needs the runner owner token (Authorization: Bearer <token> from .data/owner-token)');
}
