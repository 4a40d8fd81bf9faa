// Backends answer with Results (an unreachable backend is an expected failure for
// the runner); in a test an error there is a failure, said with its message.
import type { BackendError, Result } from '../../runner/src/node/backends/lab-backend.ts';

export function okValue<T>(r: Result<T, BackendError>): T {
  if (!r.ok) throw new Error(`the backend answered ${r.error.code}: ${r.error.message}`);
  return r.value;
}
