// What the picture code needs of a session: run a small script inside the lab.
// A narrow type so the pure parts and their tests never need a real Session.
import type { ApiErrorCode } from '../../common/errors.ts';
import type { BackendError, ExecResult, Result } from '../backends/lab-backend.ts';

export type LabExec = (script: string, timeoutMs: number, env?: Record<string, string>) => Promise<Result<ExecResult, BackendError>>;

/** A picture request that failed: the API error code to send and a message for the learner. */
export interface PictureError {
  code: ApiErrorCode;
  message: string;
}

export type PictureResult<T> = { ok: true; value: T } | { ok: false; error: PictureError };

export function fail<T>(code: ApiErrorCode, message: string): PictureResult<T> {
  return { ok: false, error: { code, message } };
}

/** An exec that did not run: the lab went away (conflict) or the backend cannot be reached (503). */
export function execFailure<T>(e: BackendError, what: string): PictureResult<T> {
  return e.code === 'gone'
    ? fail('conflict', `${what}: the lab is not running (${e.message})`)
    : fail('backend-unavailable', `${what}: ${e.message}`);
}
