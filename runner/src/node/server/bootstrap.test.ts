import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { bootstrapReply, type BootstrapContext } from './bootstrap.ts';
import { buildAccessPolicy } from './security.ts';
import { HttpError } from './http-util.ts';

const PORT = 7171;
const SITE = `http://127.0.0.1:${PORT}`;
const TOKEN = 'o'.repeat(43);

function ctx(over: Partial<BootstrapContext> = {}): BootstrapContext {
  return { ownerToken: TOKEN, policy: buildAccessPolicy('127.0.0.1', PORT, []), listensOnLoopback: true, learnersMayBeHere: () => false, ...over };
}

/** A request as the server sees it: headers as sent, the peer address from the socket. */
function req(headers: Record<string, string>, remoteAddress = '127.0.0.1'): IncomingMessage {
  return { headers: { host: `127.0.0.1:${PORT}`, ...headers }, socket: { remoteAddress } } as unknown as IncomingMessage;
}

const samePage = { origin: SITE, 'sec-fetch-site': 'same-origin' };

test('a same-origin page of a loopback runner gets the owner token', () => {
  assert.deepEqual(bootstrapReply(req(samePage), ctx()), { mode: 'self-paced', ownerToken: TOKEN });
  assert.deepEqual(bootstrapReply(req(samePage, '::ffff:127.0.0.1'), ctx()).ownerToken, TOKEN, 'over IPv4-mapped loopback too');
});

test('curl (no Origin, no Sec-Fetch-Site) gets no token, and is told where it is', () => {
  const r = bootstrapReply(req({}), ctx());
  assert.equal(r.ownerToken, undefined);
  assert.equal(r.mode, 'self-paced');
  assert.match(r.withheld ?? '', /no Origin header.*\.data\/owner-token/);
});

test('an Origin without Sec-Fetch-Site: same-origin, or a foreign Origin, gets no token', () => {
  assert.match(bootstrapReply(req({ origin: SITE }), ctx()).withheld ?? '', /not same-origin \(Sec-Fetch-Site: missing\)/);
  assert.match(bootstrapReply(req({ origin: SITE, 'sec-fetch-site': 'none' }), ctx()).withheld ?? '', /Sec-Fetch-Site: none/);
  assert.match(bootstrapReply(req({ origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' }), ctx()).withheld ?? '', /Origin "http:\/\/evil\.example" is not allowed/);
});

test('cross-site and same-site requests are refused outright', () => {
  for (const site of ['cross-site', 'same-site']) {
    assert.throws(() => bootstrapReply(req({ origin: SITE, 'sec-fetch-site': site }), ctx()), (e: unknown) => e instanceof HttpError && e.code === 'forbidden-origin');
  }
});

test('beyond loopback the token is never given, whatever Host, Origin and Sec-Fetch-Site say', () => {
  const wide = ctx({ listensOnLoopback: false, policy: buildAccessPolicy('0.0.0.0', PORT, []) });
  const spoofed = req({ host: `127.0.0.1:${PORT}`, ...samePage });
  const r = bootstrapReply(spoofed, wide);
  assert.equal(r.ownerToken, undefined);
  assert.match(r.withheld ?? '', /listens beyond this machine/);
  assert.equal(bootstrapReply(req(samePage, '192.0.2.5'), ctx()).ownerToken, undefined, 'nor to a peer that is not loopback');
});

test('a request a reverse proxy relayed gets no token, though the proxy connects from loopback', () => {
  for (const h of ['forwarded', 'x-forwarded-for', 'x-real-ip']) {
    const r = bootstrapReply(req({ ...samePage, [h]: '203.0.113.9' }), ctx());
    assert.equal(r.ownerToken, undefined, h);
    assert.match(r.withheld ?? '', new RegExp(`came through a proxy \\(it carries ${h}\\)`));
  }
});

test('while learners may be here, no token and no reason: the page asks them to join', () => {
  assert.deepEqual(bootstrapReply(req(samePage), ctx({ learnersMayBeHere: () => true })), { mode: 'workshop' });
});
