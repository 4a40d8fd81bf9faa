// Who a request comes from, as far as the network says: the peer address of
// its connection (never a header a client writes). Used to count failed joins
// per client and to hand the owner token only to this machine.
import { isIPv4, isIPv6 } from 'node:net';

/** A client holds a whole IPv6 /64 (one LAN, one customer); counting per address would let it rotate through 2^64 of them. */
const IPV6_CLIENT_GROUPS = 4;

/** The key failed joins are counted under: an IPv4 address, or an IPv6 address's /64. */
export function clientKey(address: string | undefined): string {
  const a = plain(address);
  if (a === null) return 'unknown';
  if (isIPv4(a)) return a;
  const groups = ipv6Groups(a);
  return groups ? `${groups.slice(0, IPV6_CLIENT_GROUPS).join(':')}::/64` : a;
}

/** Is this peer on this machine (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6)? */
export function isLoopbackAddress(address: string | undefined): boolean {
  const a = plain(address);
  if (a === null) return false;
  if (isIPv4(a)) return a.startsWith('127.');
  const groups = ipv6Groups(a);
  return groups !== null && groups.slice(0, 7).every((g) => g === '0') && groups[7] === '1';
}

/** Is this listen address reachable only from this machine? `localhost` resolves to loopback. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host.replace(/^\[(.*)\]$/, '$1'));
}

/** The address without a zone id, with an IPv4-mapped IPv6 address (::ffff:1.2.3.4) as plain IPv4; null if it is none. */
function plain(address: string | undefined): string | null {
  if (!address) return null;
  const a = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  return isIPv4(a) || isIPv6(a) ? a : null;
}

/** The eight groups of an IPv6 address, without leading zeros ("::" expanded); null for an embedded-IPv4 form. */
function ipv6Groups(a: string): string[] | null {
  if (!isIPv6(a) || a.includes('.')) return null;
  const [head = '', tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}
