/**
 * Who a request is counted against (rate limits, docs/decisions/gateway-rate-limits.md):
 * the client's IP address as a fixed-size key, read without allocating.
 *
 * - By default the TCP peer (`socket.remoteAddress`). `X-Forwarded-For` is anybody's to
 *   write, so it is ignored unless `trustedProxies` > 0: then the gateway sits behind that
 *   many proxies it trusts, each appending the address it saw, and the client is the entry
 *   that many hops left of the peer (`trustedProxies: 1` behind one load balancer: the last
 *   entry). Fewer entries than that: the leftmost one. An entry that is not an IP address
 *   is skipped towards the peer (a proxy we trust wrote the next one).
 * - IPv4 clients per address; IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is IPv4.
 * - IPv6 clients per prefix (`ipv6PrefixLength`, default /64): one subscriber gets at least
 *   a /64 and can pick any of its 2^64 addresses, so per-address keys would give every
 *   IPv6 client unlimited fresh budgets.
 */
export interface ClientAddressSettings {
  /** Proxies in front of the gateway whose `X-Forwarded-For` entries are believed (0: none). */
  readonly trustedProxies: number;
  /** IPv6 clients are grouped by this prefix length (16–64). */
  readonly ipv6PrefixLength: number;
}

export const CLIENT_ADDRESS_DEFAULTS: ClientAddressSettings = Object.freeze({ trustedProxies: 0, ipv6PrefixLength: 64 });

export const FAMILY_UNKNOWN = 1;
export const FAMILY_IPV4 = 4;
export const FAMILY_IPV6 = 6;

/**
 * A client as 2×32 bits plus its family: IPv4 (`hi` = the address, `lo` = 0), an IPv6
 * prefix (`hi`, `lo` = its first 64 bits, masked), or unknown (no peer address: the
 * socket is already gone). One instance per limiter, overwritten by every read.
 */
export class ClientKey {
  family = 0;
  hi = 0;
  lo = 0;
}

// Scratch space of the IPv6 parser (one per thread; parsing is synchronous).
const groups = new Uint16Array(8);
const COLON = 58;
const DOT = 46;
const COMMA = 44;
const SPACE = 32;
const TAB = 9;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Fills `out` with the client of a request; see the module comment. */
export function readClientKey(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  settings: ClientAddressSettings,
  out: ClientKey,
): ClientKey {
  if (settings.trustedProxies > 0 && typeof forwardedFor === 'string' && forwardedFor.length > 0) {
    if (fromForwardedFor(forwardedFor, settings, out)) return out;
  }
  if (peer === undefined || !parseAddress(peer, 0, peer.length, settings.ipv6PrefixLength, out)) {
    out.family = FAMILY_UNKNOWN;
    out.hi = 0;
    out.lo = 0;
  }
  return out;
}

/**
 * The entry `trustedProxies` hops left of the peer: entry k from the right of the header is
 * hop k + 1. Scans backwards over the commas; invalid entries make it settle on the next
 * one to the right. False when no entry up to that hop is an address (the peer is used).
 */
function fromForwardedFor(header: string, settings: ClientAddressSettings, out: ClientKey): boolean {
  let end = header.length;
  let found = false;
  for (let hop = 1; hop <= settings.trustedProxies && end >= 0; hop++) {
    const comma = header.lastIndexOf(',', end - 1);
    const start = comma + 1;
    if (parseAddress(header, start, end, settings.ipv6PrefixLength, out)) found = true;
    else if (found) return true; // keep the valid entry nearer to us
    if (comma < 0) break;
    end = comma;
  }
  return found;
}

/**
 * Parses `text[start, end)` as an IPv4 or IPv6 address (surrounding blanks, `[v6]`,
 * `[v6]:port`, `v4:port` and a `%zone` accepted) into `out`. False when it is not one.
 */
export function parseAddress(text: string, start: number, end: number, ipv6PrefixLength: number, out: ClientKey): boolean {
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  if (start >= end) return false;
  if (text.charCodeAt(start) === OPEN_BRACKET) {
    const close = text.indexOf(']', start);
    if (close < 0 || close >= end) return false;
    return parseIpv6(text, start + 1, close, ipv6PrefixLength, out);
  }
  let colons = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) colons++;
    else if (c === DOT) dots++;
    else if (c === COMMA || c === CLOSE_BRACKET) return false;
  }
  if (colons === 0) return parseIpv4(text, start, end, out);
  if (colons === 1 && dots === 3) return parseIpv4(text, start, text.indexOf(':', start), out); // v4:port
  return parseIpv6(text, start, end, ipv6PrefixLength, out);
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function parseIpv4(text: string, start: number, end: number, out: ClientKey): boolean {
  const value = ipv4Value(text, start, end);
  if (value < 0) return false;
  out.family = FAMILY_IPV4;
  out.hi = value | 0;
  out.lo = 0;
  return true;
}

/** The dotted quad in `text[start, end)` as an unsigned 32-bit number, or -1. */
function ipv4Value(text: string, start: number, end: number): number {
  let value = 0;
  let octet = -1;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? DOT : text.charCodeAt(i);
    if (c === DOT) {
      if (octet < 0 || parts === 4) return -1;
      value = value * 256 + octet;
      parts++;
      octet = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 3 || (digits > 0 && octet === 0)) return -1; // no leading zeros (not octal)
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
      digits++;
      if (octet > 255) return -1;
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

function parseIpv6(text: string, start: number, end: number, prefixLength: number, out: ClientKey): boolean {
  const zone = text.indexOf('%', start);
  if (zone >= 0 && zone < end) end = zone;
  let count = 0; // groups written
  let gap = -1; // index in `groups` where "::" stands
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
    if (i === end) return finishIpv6(count, gap, prefixLength, out);
  }
  while (i < end) {
    // One group: up to 4 hex digits, or a trailing dotted IPv4 (two groups).
    let value = 0;
    let digits = 0;
    let j = i;
    for (; j < end && digits <= 4; j++) {
      const c = text.charCodeAt(j);
      const hex = hexValue(c);
      if (hex < 0) break;
      value = value * 16 + hex;
      digits++;
    }
    if (j < end && text.charCodeAt(j) === DOT) {
      if (count > 6) return false;
      const v4 = ipv4Value(text, i, end);
      if (v4 < 0) return false;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    i = j;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false; // a second "::"
      gap = count;
      i++;
    } else if (i === end) return false; // a trailing single ':'
  }
  return finishIpv6(count, gap, prefixLength, out);
}

/** Expands "::" in place, recognises IPv4-mapped addresses and keeps the prefix. */
function finishIpv6(count: number, gap: number, prefixLength: number, out: ClientKey): boolean {
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false;
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k] ?? 0;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  const g = groups;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    out.family = FAMILY_IPV4;
    out.hi = (((g[6] ?? 0) << 16) | (g[7] ?? 0)) | 0;
    out.lo = 0;
    return true;
  }
  let hi = (((g[0] ?? 0) << 16) | (g[1] ?? 0)) | 0;
  let lo = (((g[2] ?? 0) << 16) | (g[3] ?? 0)) | 0;
  if (prefixLength < 64) {
    if (prefixLength <= 32) {
      lo = 0;
      hi = prefixLength === 0 ? 0 : hi & (-1 << (32 - prefixLength));
    } else lo = lo & (-1 << (64 - prefixLength));
  }
  out.family = FAMILY_IPV6;
  out.hi = hi;
  out.lo = lo;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The key as text (logs, tests): `192.0.2.1`, `2001:db8:1:2::/64`, `unknown`. */
export function describeClientKey(key: ClientKey, ipv6PrefixLength: number): string {
  if (key.family === FAMILY_IPV4) return [key.hi >>> 24, (key.hi >>> 16) & 255, (key.hi >>> 8) & 255, key.hi & 255].join('.');
  if (key.family === FAMILY_IPV6) {
    const parts = [key.hi >>> 16, key.hi & 0xffff, key.lo >>> 16, key.lo & 0xffff].map((n) => n.toString(16));
    return `${parts.join(':')}::/${ipv6PrefixLength}`;
  }
  return 'unknown';
}
