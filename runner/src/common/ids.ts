// Identifier rules shared by the lab loader, the HTTP API and the browser.
// Every id that arrives in a request is checked against these before use.

/** Lab and task ids: lower-case words joined by dashes, e.g. `syscall-storm`. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/** Session ids: `s-` and 20 lower-case base32 characters (100 bits of randomness). */
export const SESSION_ID_PATTERN = /^s-[a-z2-7]{20}$/;

/** Tokens: 43 url-safe base64 characters (256 bits of randomness). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function isSlug(value: unknown): value is string {
  return typeof value === 'string' && SLUG_PATTERN.test(value);
}

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}
