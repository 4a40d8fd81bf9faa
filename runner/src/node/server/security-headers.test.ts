import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { allowPageScripts, contentSecurityPolicy, securityHeaderLines, setSecurityHeaders } from './security-headers.ts';

function fakeResponse(): ServerResponse & { headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>();
  return {
    headers,
    setHeader(k: string, v: unknown) { headers.set(k.toLowerCase(), v); return this; },
    getHeader(k: string) { return headers.get(k.toLowerCase()); },
  } as unknown as ServerResponse & { headers: Map<string, unknown> };
}

const directives = (csp: string): Map<string, string> => new Map(csp.split('; ').map((d) => {
  const [name, ...values] = d.split(' ');
  return [name!, values.join(' ')];
}));

test('the policy: own scripts and connections only, no plugins, no framing, no foreign base', () => {
  const csp = directives(contentSecurityPolicy('127.0.0.1:7171'));
  assert.equal(csp.get('default-src'), "'self'");
  assert.equal(csp.get('script-src'), "'self'", 'no inline script, no eval');
  assert.equal(csp.get('connect-src'), "'self' ws://127.0.0.1:7171 wss://127.0.0.1:7171", 'the terminal WebSocket to this runner only');
  assert.equal(csp.get('object-src'), "'none'");
  assert.equal(csp.get('base-uri'), "'self'");
  assert.equal(csp.get('frame-ancestors'), "'none'");
  assert.equal(directives(contentSecurityPolicy(null)).get('connect-src'), "'self'", 'an unknown Host is not echoed');
});

test('every response gets the fixed headers and the policy', () => {
  const res = fakeResponse();
  setSecurityHeaders(res, 'localhost:7171');
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(String(res.headers.get('content-security-policy')), /connect-src 'self' ws:\/\/localhost:7171 wss:\/\/localhost:7171/);
});

test('a page\'s inline scripts are allowed by hash, and only in its own response', () => {
  const res = fakeResponse();
  setSecurityHeaders(res, 'localhost:7171');
  allowPageScripts(res, ['sha256-AAA=', 'sha256-BBB=']);
  const csp = directives(String(res.headers.get('content-security-policy')));
  assert.equal(csp.get('script-src'), "'self' 'sha256-AAA=' 'sha256-BBB='");
  assert.equal(csp.get('connect-src'), "'self' ws://localhost:7171 wss://localhost:7171", 'the rest is kept');
  const other = fakeResponse();
  setSecurityHeaders(other, null);
  assert.equal(directives(String(other.headers.get('content-security-policy'))).get('script-src'), "'self'");
});

test('raw refusals carry the same headers as lines', () => {
  const lines = securityHeaderLines();
  assert.match(lines, /^x-frame-options: DENY\r\n/m);
  assert.match(lines, /content-security-policy: default-src 'self';.*frame-ancestors 'none'\r\n/);
  assert.ok(lines.endsWith('\r\n'));
});
