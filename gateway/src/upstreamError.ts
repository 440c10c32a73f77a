import type { IncomingHttpHeaders } from 'node:http';
import { DeadlineExceeded, isBreakerOpen, Problem, type ProblemCode } from '@delivery/runtime-kit';

/**
 * What went wrong with an upstream call, as one label (`kind`) for metrics and logs, and
 * the three questions the proxy asks of it: did the request possibly reach the upstream
 * (if not, a retry cannot duplicate the command), does it count against the circuit
 * breaker, and which problem does the client get.
 */
export const FAILURE_KINDS = [
  'connect_refused',
  'connect_timeout',
  'connect_error',
  'reset',
  'bad_response',
  'timeout',
  'status_5xx',
  'dependency_unavailable',
  'breaker_open',
  'body_too_large',
  'rate_limited',
  'client_closed',
  'internal',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * The upstream answered 5xx. `delivered`: the answer is already on its way to the client.
 * `dependency`: the service a 503 named in `X-Dependency-Unavailable` (see `unavailableDependency`).
 */
export class UpstreamStatusError extends Error {
  readonly status: number;
  readonly delivered: boolean;
  readonly dependency: string | undefined;
  constructor(status: number, delivered: boolean, dependency?: string) {
    super(`upstream answered ${status}`);
    this.name = 'UpstreamStatusError';
    this.status = status;
    this.delivered = delivered;
    this.dependency = dependency;
  }
}

/**
 * A write service that cannot verify a rule because the service owning the fact is
 * unreachable answers 503 DEPENDENCY_UNAVAILABLE naming that service in
 * `X-Dependency-Unavailable` (architecture.md, "Rules across aggregates"). Such an answer
 * says the upstream is healthy and its dependency is not: it is passed through, never
 * retried, and never counted against the route's breaker. Returns the named service, or
 * undefined for any other answer (a plain 503 included).
 */
export function unavailableDependency(status: number, headers: IncomingHttpHeaders): string | undefined {
  if (status !== 503) return undefined;
  const named = headers['x-dependency-unavailable']; // node joins repeated fields into one string
  return typeof named === 'string' && named !== '' ? named : undefined;
}

/** Failures caused by the client, which must never open a breaker. */
export class ClientFault extends Error {
  readonly kind: 'body_too_large' | 'client_closed';
  constructor(kind: 'body_too_large' | 'client_closed') {
    super(kind === 'body_too_large' ? 'request body exceeds the limit' : 'client closed the connection');
    this.name = 'ClientFault';
    this.kind = kind;
  }
}

const CONNECT_ERRORS = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
// undici: UND_ERR_SOCKET (the connection closed under the request), a response shorter or longer than it said.
const RESETS = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function failureKind(error: unknown): FailureKind {
  if (error instanceof UpstreamStatusError) return error.dependency === undefined ? 'status_5xx' : 'dependency_unavailable';
  if (error instanceof DeadlineExceeded) return 'timeout';
  if (error instanceof ClientFault) return error.kind;
  if (isBreakerOpen(error)) return 'breaker_open';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'connect_refused';
  if (code === 'ECONNECT_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect_timeout';
  if (code === 'CLIENT_GONE' || code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') return 'client_closed';
  if (typeof code === 'string' && CONNECT_ERRORS.has(code)) return 'connect_error';
  if (typeof code === 'string' && RESETS.has(code)) return 'reset';
  if (typeof code === 'string' && (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE'))
    return 'bad_response';
  return 'internal';
}

/** The request never left the gateway: no connection to the upstream was ever made. */
export function neverReachedUpstream(kind: FailureKind): boolean {
  return kind === 'connect_refused' || kind === 'connect_timeout' || kind === 'connect_error';
}

/**
 * Whether a failure counts against the route's circuit breaker: client faults never do, nor
 * does an upstream's answer that one of its own dependencies is unavailable.
 */
export function countsAgainstBreaker(error: unknown): boolean {
  const kind = failureKind(error);
  return (
    kind !== 'body_too_large' &&
    kind !== 'client_closed' &&
    kind !== 'breaker_open' &&
    kind !== 'dependency_unavailable' &&
    kind !== 'rate_limited'
  );
}

export function problemFor(kind: FailureKind, upstream: string, retryAfterSeconds: number): Problem {
  switch (kind) {
    case 'connect_timeout':
    case 'timeout':
      return new Problem('GATEWAY_TIMEOUT', `The ${upstream} service did not answer in time.`);
    case 'breaker_open':
      return new Problem('CIRCUIT_OPEN', `The ${upstream} service is failing; not calling it for now.`, {
        headers: { 'retry-after': String(retryAfterSeconds) },
      });
    case 'rate_limited': // refused before any upstream call; `upstream` names the route here
      return new Problem('RATE_LIMITED', `Too many commands from this client on ${upstream}; retry after ${retryAfterSeconds} s.`, {
        headers: { 'retry-after': String(retryAfterSeconds) },
        retriable: true,
      });
    case 'body_too_large':
      return new Problem('PAYLOAD_TOO_LARGE', 'The body exceeds the size limit.', { headers: { connection: 'close' } });
    case 'connect_refused':
    case 'connect_error':
    case 'reset':
    case 'bad_response':
    case 'status_5xx':
    case 'dependency_unavailable': // like status_5xx, only ever an answer already passed through
    case 'client_closed':
    case 'internal':
      return new Problem('BAD_GATEWAY', `The ${upstream} service could not be reached or failed.`);
    default: {
      const unreachable: never = kind;
      throw new Error(`unhandled failure kind ${String(unreachable)}`);
    }
  }
}

/** Every problem an upstream failure can be answered with (`problemFor` over every kind): what the API document lists. */
export const UPSTREAM_FAILURE_PROBLEMS: readonly ProblemCode[] = [...new Set(FAILURE_KINDS.map((kind) => problemFor(kind, 'upstream', 1).code))];
