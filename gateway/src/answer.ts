import { Problem, writeProblem } from '@delivery/runtime-kit';
import type { Exchange } from './exchange.ts';
import { downstreamHeaders } from './forwardedHeaders.ts';
import { rateLimitField } from './rateLimiter.ts';

/**
 * The answer to the client, in one place: a problem written by the gateway, or the head of
 * the upstream's answer passed through (minus hop-by-hop headers), each with the request id
 * and the rate-limit fields of the route.
 */
export const answer = {
  /** Answers with a problem (nothing was, or will be, sent by the upstream). */
  problem(exchange: Exchange, problem: Problem): void {
    const res = exchange.res;
    if (res.destroyed || res.headersSent) {
      if (!res.destroyed) res.destroy();
      return;
    }
    res.setHeader('X-Request-Id', exchange.requestId);
    const limit = exchange.rateLimit;
    if (limit !== undefined) {
      res.setHeader('RateLimit-Policy', limit.policyField);
      res.setHeader('RateLimit', rateLimitField(limit, exchange.rateBalance));
    }
    writeProblem(res, problem, exchange.req.url);
  },

  /** Passes the upstream answer's head through; `rawHeaders` as undici gives them (names and values alternating). */
  head(
    exchange: Exchange,
    status: number,
    statusText: string,
    rawHeaders: readonly (Buffer | string)[],
    connection: string | string[] | undefined,
  ): void {
    const headers = downstreamHeaders(rawHeaders, connection, exchange.requestId);
    const limit = exchange.rateLimit;
    if (limit !== undefined) headers.push('RateLimit-Policy', limit.policyField, 'RateLimit', rateLimitField(limit, exchange.rateBalance));
    exchange.res.writeHead(status, statusText, headers);
  },

  /** 408: the client's body did not arrive in time (connection closed: the rest of it is not read). */
  clientTimeout(exchange: Exchange, ms: number): void {
    answer.problem(exchange, new Problem('REQUEST_TIMEOUT', `The body did not arrive within ${ms} ms.`, { headers: CLOSE }));
  },
};

const CLOSE = { connection: 'close' };
