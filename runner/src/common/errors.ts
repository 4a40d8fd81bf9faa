// The HTTP API's error codes and the one status each goes with. The runner sends
// them, the browser and the CLI read them; one table means a code can never
// travel with a status that says something else (a "bad-request" with 413).

export const API_ERROR_STATUS = {
  'bad-request': 400,
  unauthorized: 401,
  /** The token is valid but may not do this (a learner asking for the instructor's data). */
  forbidden: 403,
  'forbidden-origin': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  /** The request (its headers, its body) did not arrive within the server's time limit. */
  'request-timeout': 408,
  conflict: 409,
  /** The workshop has ended or was closed. */
  gone: 410,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  /** Too many failed attempts (join codes) or open streams; retry later. */
  'rate-limited': 429,
  /** The runner holds as many labs as it may. */
  capacity: 429,
  'headers-too-large': 431,
  internal: 500,
  'start-failed': 502,
  'backend-unavailable': 503,
} as const satisfies Record<string, number>;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface ApiError {
  error: { code: ApiErrorCode; message: string };
}

export function apiErrorStatus(code: ApiErrorCode): number {
  return API_ERROR_STATUS[code];
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(API_ERROR_STATUS, value);
}

/** The `{ error: { code, message } }` of a reply body, or null when the body is something else. */
export function apiErrorOf(body: unknown): ApiError['error'] | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return isApiErrorCode(code) && typeof message === 'string' ? { code, message } : null;
}
