import { IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Span } from '@opentelemetry/api';
import { requestIdOf } from '@delivery/runtime-kit';
import { endExchangeSpan } from './exchangeSpan.ts';
import type { RateLimitPolicy } from './rateLimiter.ts';
import type { ActiveRoute, RouteSet } from './routeSet.ts';
import type { FailureKind } from './upstreamError.ts';

/** The request class of the gateway's server: it carries its exchange. */
export class GatewayRequest extends IncomingMessage {
  exchange: Exchange | undefined = undefined;
}

export type GatewayResponse = ServerResponse<GatewayRequest>;

/** The upstream attempt in flight, as the record knows it: something to stop. */
export interface AttemptInFlight {
  /** Stops the attempt (the client went away, or the exchange's deadline passed). */
  cancel(reason: Error): void;
}

/** Called once when the client side of an exchange is over (access log, metrics): one object for all requests. */
export interface ExchangeObserver {
  finished(exchange: Exchange): void;
}

/**
 * The request record: one client request through the gateway, from its arrival to its
 * answer. It holds facts (request id, route, what the body is, the attempts made, how it
 * ended) and no behaviour of its own beyond its bookkeeping: the attempt module
 * (`forward.ts`, `attempt.ts`) acts on it, the answer module (`answer.ts`) writes to its
 * client. Nothing here imports those modules.
 */
export class Exchange {
  readonly req: GatewayRequest;
  readonly res: GatewayResponse;
  readonly routes: RouteSet;
  readonly start = performance.now();
  readonly requestId: string;
  private readonly observer: ExchangeObserver;
  route: ActiveRoute | undefined = undefined;
  /** The route's rate limit this request was counted against, and the bucket's balance after it. */
  rateLimit: RateLimitPolicy | undefined = undefined;
  rateBalance = 0;
  /** The whole request body, for requests that may be retried (read before the first attempt). */
  body: Buffer | undefined = undefined;
  hasBody = false;
  chunked = false;
  /** Carries an Idempotency-Key upstream (decided on the forwarded headers). */
  idempotent = false;
  attempts = 0;
  /** Where the upstream's instances are taken from for this request (round robin). */
  poolStart = 0;
  /** Origin of the instance of the last attempt (access log). */
  target: string | undefined = undefined;
  failure: FailureKind | undefined = undefined;
  /** Absolute time (performance.now()) by which the whole exchange must be over; 0: none. */
  totalDue = 0;
  current: AttemptInFlight | undefined = undefined;
  done = false;
  /** The exchange's server span; undefined when tracing is off (exchangeSpan.ts). */
  span: Span | undefined = undefined;

  constructor(req: GatewayRequest, res: GatewayResponse, routes: RouteSet, observer: ExchangeObserver) {
    this.req = req;
    this.res = res;
    this.routes = routes;
    this.observer = observer;
    this.requestId = requestIdOf(req.headers['x-request-id']);
    req.exchange = this;
    routes.inflight++;
    res.on('close', onResponseClose); // 'close' comes once; `on` spares once's wrapper
  }

  /** The client side is over: the answer went out, or the client went away. */
  clientClosed(): void {
    if (this.done) return;
    this.done = true;
    this.current?.cancel(CLIENT_GONE);
    this.routes.inflight--;
    this.routes.maybeRetire();
    this.observer.finished(this);
    if (this.span !== undefined) endExchangeSpan(this, this.span);
  }
}

const CLIENT_GONE: Error = Object.assign(new Error('client closed the connection'), { code: 'CLIENT_GONE' });

function onResponseClose(this: GatewayResponse): void {
  this.req.exchange?.clientClosed();
}
