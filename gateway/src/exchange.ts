import { IncomingMessage, type ClientRequest, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Problem, requestIdOf, writeProblem } from '@delivery/runtime-kit';
import { downstreamHeaders, prepareUpstreamHeaders } from './forwardedHeaders.ts';
import { rateLimitField, type RateLimitPolicy } from './rateLimiter.ts';
import type { ActiveRoute, RouteSet } from './routeSet.ts';
import type { UpstreamTarget } from './upstreamPool.ts';
import {
  ClientFault,
  failureKind,
  neverReachedUpstream,
  unavailableDependency,
  UpstreamStatusError,
  type FailureKind,
} from './upstreamError.ts';

/** The request class of the gateway's server: it carries its exchange, found by the proxy's events. */
export class GatewayRequest extends IncomingMessage {
  exchange: Exchange | undefined = undefined;
}

export type GatewayResponse = ServerResponse<GatewayRequest>;

/** How one upstream attempt ended when it did not fail. */
export type Outcome = 'answered' | 'client_timeout' | 'client_gone';

/** What an exchange needs from the gateway (one object, shared by every request). */
export interface ExchangeContext {
  /** Sends one attempt through http-proxy; `exchange` is passed as its body source (`buffer`). */
  web(exchange: Exchange, target: UpstreamTarget): void;
  /** Called once per failed attempt (metrics). */
  attemptFailed(exchange: Exchange, kind: FailureKind): void;
  /** Called once when the client side of the exchange is over (access log, metrics). */
  finished(exchange: Exchange): void;
}

const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * One client request through the gateway: its request id, route, body handling and the
 * state of the current upstream attempt. It is the body source http-proxy pipes from
 * (`pipe`), so the body flows only once the upstream connection is open: a refused
 * connection leaves the client's body unread and the request can be retried safely.
 */
export class Exchange {
  readonly req: GatewayRequest;
  readonly res: GatewayResponse;
  readonly routes: RouteSet;
  readonly context: ExchangeContext;
  readonly start = performance.now();
  readonly requestId: string;
  route: ActiveRoute | undefined = undefined;
  /** The route's rate limit this request was counted against, and the bucket's balance after it. */
  rateLimit: RateLimitPolicy | undefined = undefined;
  rateBalance = 0;
  /** Request body for requests that may be retried (read before the first attempt). */
  body: Buffer | undefined = undefined;
  hasBody = false;
  chunked = false;
  idempotent = false;
  attempts = 0;
  private poolStart = 0;
  target: UpstreamTarget | undefined = undefined;
  failure: FailureKind | undefined = undefined;
  private received = 0;
  private proxyReq: ClientRequest | undefined = undefined;
  private signal: AbortSignal | undefined = undefined;
  private resolve: ((outcome: Outcome) => void) | undefined = undefined;
  private reject: ((error: unknown) => void) | undefined = undefined;
  private done = false;

  constructor(req: GatewayRequest, res: GatewayResponse, routes: RouteSet, context: ExchangeContext) {
    this.req = req;
    this.res = res;
    this.routes = routes;
    this.context = context;
    this.requestId = requestIdOf(req.headers['x-request-id']);
    req.exchange = this;
    routes.inflight++;
    res.on('close', onResponseClose); // 'close' comes once; `on` spares once's wrapper
  }

  /** Prepares a matched request for proxying. */
  forRoute(route: ActiveRoute, path: string): void {
    const req = this.req;
    const headers = req.headers;
    this.route = route;
    this.chunked = headers['transfer-encoding'] !== undefined;
    this.hasBody = this.chunked || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    this.idempotent = headers['idempotency-key'] !== undefined && headers['idempotency-key'] !== '';
    this.poolStart = route.pool.start();
    prepareUpstreamHeaders(headers, this.requestId, req.socket.remoteAddress, 'http');
    req.url = path;
  }

  /** Retries can be needed: the body must be kept (DELETE with a chunked body too: see `pipe`). */
  needsBufferedBody(): boolean {
    if (!this.hasBody) return false;
    return (this.idempotent && (this.route?.spec.retry.retries ?? 0) > 0) || (this.chunked && this.req.method === 'DELETE');
  }

  /** Whether a failed attempt may be repeated without risking a duplicated command. */
  mayRetry(error: unknown): boolean {
    if (this.res.destroyed || this.done) return false;
    const kind = failureKind(error);
    if (neverReachedUpstream(kind)) return true;
    if (!this.idempotent || (this.hasBody && this.body === undefined)) return false;
    return kind === 'reset' || kind === 'timeout' || kind === 'bad_response' || (error instanceof UpstreamStatusError && !error.delivered);
  }

  /** One upstream attempt (the circuit breaker's action); settles when the response head arrives. */
  send(signal: AbortSignal, attempt: number): Promise<Outcome> {
    const route = this.route as ActiveRoute;
    this.attempts = attempt + 1;
    this.target = route.pool.target(this.poolStart, attempt);
    this.failure = undefined;
    return new Promise<Outcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.signal = signal;
      signal.addEventListener('abort', this, ONCE);
      this.context.web(this, this.target as UpstreamTarget);
    });
  }

  /** http-proxy pipes its body source into the upstream request right after creating it. */
  pipe(proxyReq: ClientRequest): ClientRequest {
    this.proxyReq = proxyReq;
    if (this.body !== undefined) {
      proxyReq.setHeader('content-length', this.body.length);
      proxyReq.end(this.body);
    } else if (!this.hasBody) {
      proxyReq.end();
    }
    // Otherwise the body flows from `connected`, once the upstream socket is open.
    return proxyReq;
  }

  /** http-proxy's `proxyReq` event: the upstream request has a socket. */
  socketAssigned(proxyReq: ClientRequest, socket: Socket): void {
    if (proxyReq !== this.proxyReq || this.body !== undefined || !this.hasBody) return;
    if (socket.connecting) socket.once('connect', () => this.connected(proxyReq));
    else this.connected(proxyReq);
  }

  private connected(proxyReq: ClientRequest): void {
    if (proxyReq !== this.proxyReq || proxyReq.destroyed) return;
    if (this.chunked) this.req.on('data', (chunk: Buffer) => this.countBody(chunk.length));
    this.req.pipe(proxyReq);
  }

  private countBody(bytes: number): void {
    this.received += bytes;
    if (this.received <= (this.route as ActiveRoute).spec.bodyLimit) return;
    this.req.unpipe();
    this.proxyReq?.destroy();
    this.failAttempt(new ClientFault('body_too_large'));
  }

  /** http-proxy's `proxyRes` event (selfHandleResponse): pass the answer through unchanged. */
  upstreamResponded(proxyRes: IncomingMessage): void {
    if (this.resolve === undefined) {
      proxyRes.resume();
      return;
    }
    const status = proxyRes.statusCode ?? 502;
    // A 503 naming a dependency of the upstream is its answer, not its failure: passed through, not retried.
    const dependency = unavailableDependency(status, proxyRes.headers);
    if (
      status >= 500 &&
      dependency === undefined &&
      RETRIED_STATUSES.has(status) &&
      this.attemptsLeft() &&
      this.mayRetry(new UpstreamStatusError(status, false))
    ) {
      proxyRes.resume();
      this.failAttempt(new UpstreamStatusError(status, false));
      return;
    }
    const res = this.res;
    try {
      const headers = downstreamHeaders(proxyRes.rawHeaders, proxyRes.headers.connection, this.requestId);
      const limit = this.rateLimit;
      if (limit !== undefined) headers.push('RateLimit-Policy', limit.policyField, 'RateLimit', rateLimitField(limit, this.rateBalance));
      res.writeHead(status, proxyRes.statusMessage, headers);
    } catch (error) {
      proxyRes.destroy();
      this.failAttempt(error);
      return;
    }
    proxyRes.on('error', () => res.destroy()); // the upstream broke off mid-answer: so does the client's
    proxyRes.pipe(res);
    if (status >= 500) this.failAttempt(new UpstreamStatusError(status, true, dependency));
    else this.settle('answered');
  }

  /** http-proxy's error callback: connection errors, resets, bad responses. */
  upstreamFailed(error: Error): void {
    if (this.resolve !== undefined) this.failAttempt(error);
    else if (this.res.headersSent && !this.res.writableFinished) this.res.destroy(); // broke off mid-answer
  }

  /** The attempt's deadline (AbortSignal listener object). */
  handleEvent(): void {
    if (this.resolve === undefined) return;
    this.proxyReq?.destroy();
    // A body still arriving when the deadline passes is the client's slowness, not the upstream's.
    if (this.hasBody && this.body === undefined && !this.req.complete) this.settle('client_timeout');
    else this.failAttempt(this.signal?.reason);
  }

  /** The client side is over: the answer went out, or the client went away. */
  clientClosed(): void {
    if (this.resolve !== undefined) {
      this.proxyReq?.destroy();
      this.settle('client_gone');
    }
    if (this.done) return;
    this.done = true;
    this.routes.inflight--;
    this.routes.maybeRetire();
    this.context.finished(this);
  }

  /** Answers with a problem (nothing was, or will be, sent by the upstream). */
  respond(problem: Problem): void {
    const res = this.res;
    if (res.destroyed) return;
    res.setHeader('X-Request-Id', this.requestId);
    const limit = this.rateLimit;
    if (limit !== undefined) {
      res.setHeader('RateLimit-Policy', limit.policyField);
      res.setHeader('RateLimit', rateLimitField(limit, this.rateBalance));
    }
    writeProblem(res, problem, this.req.url);
  }

  /** Failed attempts counted: the first one plus retries. */
  private attemptsLeft(): boolean {
    return this.attempts <= (this.route as ActiveRoute).spec.retry.retries;
  }

  private settle(outcome: Outcome): void {
    const resolve = this.resolve;
    this.clear();
    resolve?.(outcome);
  }

  private failAttempt(error: unknown): void {
    const reject = this.reject;
    if (reject === undefined) return;
    this.failure = failureKind(error);
    this.clear();
    this.context.attemptFailed(this, this.failure);
    reject(error);
  }

  private clear(): void {
    this.resolve = undefined;
    this.reject = undefined;
    this.signal?.removeEventListener('abort', this);
    this.signal = undefined;
  }
}

const ONCE = { once: true } as const;

function onResponseClose(this: GatewayResponse): void {
  this.req.exchange?.clientClosed();
}

/** Requests that may be retried: the whole body is read first, within the route's limit and time. */
export function readBody(exchange: Exchange): Promise<boolean> {
  const req = exchange.req;
  const { bodyLimit, bodyTimeoutMs } = (exchange.route as ActiveRoute).spec;
  return new Promise<boolean>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (problem: Problem | undefined) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      if (problem) {
        req.pause();
        exchange.respond(problem);
      }
      resolve(false);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > bodyLimit) {
        exchange.failure = 'body_too_large';
        stop(new Problem('PAYLOAD_TOO_LARGE', `The body exceeds the limit of ${bodyLimit} bytes.`, { headers: CLOSE }));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      clearTimeout(timer);
      req.off('data', onData).off('error', onError);
      exchange.body = Buffer.concat(chunks, size);
      resolve(true);
    };
    const onError = () => stop(undefined);
    const timer = setTimeout(
      () => stop(new Problem('REQUEST_TIMEOUT', `The body did not arrive within ${bodyTimeoutMs} ms.`, { headers: CLOSE })),
      bodyTimeoutMs,
    );
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

const CLOSE = { connection: 'close' };
