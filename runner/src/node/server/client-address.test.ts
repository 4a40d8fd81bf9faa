import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey, isLoopbackAddress, isLoopbackHost } from './client-address.ts';

test('IPv4 clients are keyed by address, also when mapped into IPv6', () => {
  assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
  assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.notEqual(clientKey('192.0.2.7'), clientKey('192.0.2.8'));
});

test('IPv6 clients are keyed by their /64: rotating the host part does not give fresh tries', () => {
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0db8:0001:0002::9%eth0'), '2001:db8:1:2::/64', 'leading zeros and zone ids do not matter');
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
});

test('a connection without an address is one key', () => {
  assert.equal(clientKey(undefined), 'unknown');
  assert.equal(clientKey(''), 'unknown');
});

test('loopback peers and listen addresses', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.ok(isLoopbackAddress(a), a);
  for (const a of ['10.0.0.1', '192.168.1.2', '::', '::2', '0.0.0.0', 'fe80::1', undefined, 'localhost']) assert.equal(isLoopbackAddress(a), false, String(a));
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.org']) assert.equal(isLoopbackHost(h), false, h);
});
