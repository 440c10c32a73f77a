import type { Exchange } from './exchange.ts';
import type { ActiveRoute } from './routeSet.ts';
import { failureKind, neverReachedUpstream, UpstreamStatusError } from './upstreamError.ts';

/** Upstream statuses an idempotent command may be repeated after (the answer is not passed through). */
const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * The gateway's retry rules, in one place (docs/decisions/gateway-safe-retries-and-breakers.md):
 * a failed attempt is repeated only when a repeat cannot duplicate a command — the request
 * never reached the upstream (connect failures), or it carries an Idempotency-Key upstream
 * and its whole body is kept. Safety is judged on what is forwarded (`exchange.idempotent`
 * is read from the headers as they leave: see forwardedHeaders.ts).
 */
export const retryRule = {
  /** Retries can be needed: the body must be read and kept (a chunked DELETE too: it is sent with a length). */
  needsBufferedBody(exchange: Exchange, route: ActiveRoute): boolean {
    if (!exchange.hasBody) return false;
    return (exchange.idempotent && route.spec.retry.retries > 0) || (exchange.chunked && exchange.req.method === 'DELETE');
  },

  /** Whether the upstream's status may be retried instead of passed through (before any of it is sent). */
  retriesStatus(exchange: Exchange, route: ActiveRoute, status: number): boolean {
    return RETRIED_STATUSES.has(status) && !exchange.done && exchange.attempts <= route.spec.retry.retries && retryRule.safe(exchange, 'status_5xx');
  },

  /** Whether a failed attempt may be repeated without risking a duplicated command. */
  mayRetry(exchange: Exchange, error: unknown): boolean {
    if (exchange.done || exchange.res.destroyed) return false;
    if (error instanceof UpstreamStatusError && error.delivered) return false;
    return retryRule.safe(exchange, failureKind(error));
  },

  safe(exchange: Exchange, kind: ReturnType<typeof failureKind>): boolean {
    if (neverReachedUpstream(kind)) return true;
    if (!exchange.idempotent || (exchange.hasBody && exchange.body === undefined)) return false;
    return kind === 'reset' || kind === 'timeout' || kind === 'bad_response' || kind === 'status_5xx';
  },
};
