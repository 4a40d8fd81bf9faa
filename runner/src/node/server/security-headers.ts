// Headers on every answer, API and site alike, so that a page of this runner
// (which can hold the owner token) runs only this runner's scripts, talks only
// to this runner, and cannot be framed by another site.
import type { ServerResponse } from 'node:http';

const CSP_HEADER = 'content-security-policy';

/** Never framed (clickjacking the Start or Run buttons), never sniffed into a script, no URL with a token in a Referer. */
const FIXED_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/**
 * The policy. `selfHost` is the request's Host once it is known to name this runner: the terminal's
 * WebSocket (ws: or wss:) is allowed to it by name, since older browsers do not count ws: as 'self'.
 * `scriptHashes` are the page's own inline scripts (VitePress's dark-mode and hash-map scripts);
 * no other inline script runs. Styles may be inline: xterm.js and Vue write <style> elements and
 * style attributes at run time, and a style cannot run code.
 */
export function contentSecurityPolicy(selfHost: string | null, scriptHashes: readonly string[] = []): string {
  const sockets = selfHost ? ` ws://${selfHost} wss://${selfHost}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.map((h) => ` '${h}'`).join('')}`,
    "style-src 'self' 'unsafe-inline'",
    // VitePress's icons are data: SVGs in its style sheet.
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the fixed headers and the policy for pages without inline scripts (everything but the site's HTML). */
export function setSecurityHeaders(res: ServerResponse, selfHost: string | null): void {
  for (const [name, value] of Object.entries(FIXED_HEADERS)) res.setHeader(name, value);
  res.setHeader(CSP_HEADER, contentSecurityPolicy(selfHost, []));
}

/** Widens this response's policy to the inline scripts of the page it serves (their SHA-256 hashes). */
export function allowPageScripts(res: ServerResponse, scriptHashes: readonly string[]): void {
  if (scriptHashes.length === 0) return;
  const current = res.getHeader(CSP_HEADER);
  const policy = typeof current === 'string' ? current : contentSecurityPolicy(null);
  res.setHeader(CSP_HEADER, policy.replace(/script-src 'self'[^;]*/, `script-src 'self'${scriptHashes.map((h) => ` '${h}'`).join('')}`));
}

/** The same headers as raw HTTP lines, for answers written straight to a socket (http-dispatch's refusals). */
export function securityHeaderLines(): string {
  const all = { ...FIXED_HEADERS, [CSP_HEADER]: contentSecurityPolicy(null) };
  return Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('');
}
