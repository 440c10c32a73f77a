import type { IncomingHttpHeaders } from 'node:http';

/**
 * Header rules at the proxy boundary. Hop-by-hop headers (RFC 9110 §7.6.1: Connection, the
 * headers it names, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade) describe
 * one connection and are never forwarded in either direction; node:http writes its own.
 * `Expect` is answered by the gateway's own server, so it is not forwarded either.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

const REQUEST_ID = 'x-request-id';
// End-to-end facts a client's Connection header must not make the gateway drop.
// Idempotency-Key too: a client's `Connection: Idempotency-Key` must not silently make a command unsafe to retry.
const KEEP_ON_REQUEST = new Set(['host', 'content-length', 'content-type', 'idempotency-key', REQUEST_ID]);

/**
 * Rewrites an incoming request's headers in place for the upstream: hop-by-hop removed
 * (Transfer-Encoding too: node:http frames the forwarded body itself), the request id,
 * `X-Forwarded-For` (appended), `-Proto` and `-Host` set. `Host` itself is replaced by the
 * upstream's when the request is sent (attempt.ts).
 */
export function prepareUpstreamHeaders(
  headers: IncomingHttpHeaders,
  requestId: string,
  clientAddress: string | undefined,
  proto: 'http' | 'https',
): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && !KEEP_ON_REQUEST.has(name)) Reflect.deleteProperty(headers, name);
    }
  }
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) Reflect.deleteProperty(headers, name);
  headers[REQUEST_ID] = requestId;
  const forwardedFor = headers['x-forwarded-for'];
  const address = clientAddress ?? '';
  headers['x-forwarded-for'] = forwardedFor ? `${[forwardedFor].flat().join(', ')}, ${address}` : address;
  headers['x-forwarded-proto'] = proto;
  headers['x-forwarded-host'] = headers.host ?? '';
}

/**
 * The upstream's response headers (undici's raw list: names and values alternating, as
 * Buffers) as a flat [name, value, ...] list for `writeHead`, in their original case and
 * order, minus hop-by-hop headers (and those its Connection header names), with the
 * gateway's request id.
 */
export function downstreamHeaders(
  rawHeaders: readonly (Buffer | string)[],
  connection: string | string[] | undefined,
  requestId: string,
): string[] {
  const named = connection === undefined ? undefined : connectionTokens([connection].flat().join(','));
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = String(rawHeaders[i]);
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === REQUEST_ID || named?.has(lower)) continue;
    out.push(name, String(rawHeaders[i + 1]));
  }
  out.push('X-Request-Id', requestId);
  return out;
}

function connectionTokens(connection: string): Set<string> {
  const tokens = new Set<string>();
  for (const token of connection.split(',')) tokens.add(token.trim().toLowerCase());
  // Never let a Connection header strip end-to-end framing the client needs.
  tokens.delete('content-length');
  tokens.delete('content-type');
  return tokens;
}
