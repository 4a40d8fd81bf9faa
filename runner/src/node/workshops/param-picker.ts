// Picks each learner's lab parameter values: HMAC-SHA256 keyed with the
// runner's secret over (seed, learner, lab, parameter). The same learner gets
// the same value in every session (a reset or a new session changes nothing);
// another learner, another workshop or another runner gets an independent one;
// without the secret nobody can work out anyone's value from ids.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { choiceIndex, choiceMessage, type ParamValues } from '../../common/params.ts';
import type { SessionOwner } from '../sessions/session.ts';
import { ensurePrivateDir, ensurePrivateFile } from '../util/private-files.ts';

export const SECRET_FILE = 'runner-secret';
/** The seed of the self-paced learner: the secret alone makes it differ between installations. */
export const LOCAL_SEED = 'local';

/** The runner's secret (32 random bytes), kept in the data directory, readable by the owner only. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, SECRET_FILE);
  const old = existsSync(file) ? Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url') : null;
  // Made 0600 before the secret is written into it; an older, looser file is tightened.
  ensurePrivateFile(file);
  if (old?.length === 32) return old;
  const secret = randomBytes(32);
  writeFileSync(file, `${secret.toString('base64url')}\n`);
  return secret;
}

export function pickParams(secret: Buffer, seed: string, learnerId: string, lab: Pick<ResolvedLab, 'id' | 'params'>): ParamValues {
  const out: ParamValues = {};
  for (const p of lab.params) {
    const digest = createHmac('sha256', secret).update(choiceMessage(seed, learnerId, lab.id, p.name)).digest();
    out[p.name] = p.choices[choiceIndex(digest, p.choices.length)]!;
  }
  return out;
}

/** `paramsFor` of the session manager: the workshop's seed for its learners, LOCAL_SEED otherwise. */
export function paramChooser(secret: Buffer, workshopSeed: (workshopId: string) => string | null) {
  return (lab: ResolvedLab, owner: SessionOwner): ParamValues => {
    const seed = owner.workshopId === null ? LOCAL_SEED : workshopSeed(owner.workshopId) ?? `workshop:${owner.workshopId}`;
    return pickParams(secret, seed, owner.learnerId, lab);
  };
}
