// The backends' state for GET /api/health. Asking costs a Docker call and a
// QEMU check; a monitor polling /api/health must not turn into a stream of
// them, so answers are shared: callers at the same time wait for one asking,
// and an answer younger than BACKEND_STATUS_CACHE_MS is given as it is.

/** A poller every second asks the backends at most every 2 s; a stopped Docker shows within 2 s. */
export const BACKEND_STATUS_CACHE_MS = 2_000;

export type BackendStatus = Record<string, { ok: boolean; message: string }>;

export function cachedBackendStatus(
  ask: () => Promise<BackendStatus>, ttlMs = BACKEND_STATUS_CACHE_MS, now: () => number = Date.now,
): () => Promise<BackendStatus> {
  let inFlight: Promise<BackendStatus> | null = null;
  let last: { at: number; status: BackendStatus } | null = null;
  return () => {
    if (inFlight) return inFlight;
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.status);
    const p = ask().then((status) => { last = { at: now(), status }; return status; });
    inFlight = p.finally(() => { inFlight = null; });
    return inFlight;
  };
}
