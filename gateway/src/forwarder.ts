import { backoffDelay, jsonCharsetProblem, Problem, TRACEPARENT_HEADER, traceparentOf, type Logger } from '@delivery/runtime-kit';
import { performance } from 'node:perf_hooks';
import { answer } from './answer.ts';
import { Attempt, ignore, type AttemptDeps } from './attempt.ts';
import { bodyLimit } from './bodyLimit.ts';
import type { DeadlineWheel, Timed } from './deadlineWheel.ts';
import type { AttemptInFlight, Exchange, GatewayRequest } from './exchange.ts';
import { prepareUpstreamHeaders } from './forwardedHeaders.ts';
import type { GatewayMetrics } from './gatewayMetrics.ts';
import { retryRule } from './retryRule.ts';
import type { ActiveRoute, Outcome } from './routeSet.ts';
import { failureKind, problemFor, UpstreamStatusError } from './upstreamError.ts';

/** What forwarding needs, shared by every request (one object). */
export interface ForwardDeps {
  wheel: DeadlineWheel;
  metrics: GatewayMetrics;
  logger: Logger;
}

/**
 * A matched request, from its limits to its answer, one way: the request record is
 * prepared (forwarded headers, what its body is, whether it may be retried), refused early
 * where it must be (body limit — before `100 Continue` —, a JSON body in another charset than
 * UTF-8, an open breaker), its body buffered when retries may need it, then attempts through
 * the route's breaker; a failed attempt is repeated when the retry rule allows it, after
 * runtime-kit's backoff, waited on the gateway's timer wheel.
 */
export class Forwarder {
  private readonly deps: ForwardDeps;
  private readonly attemptDeps: AttemptDeps;

  constructor(deps: ForwardDeps) {
    this.deps = deps;
    this.attemptDeps = {
      wheel: deps.wheel,
      ended: (attempt, error, outcome) => this.ended(attempt, error, outcome),
      brokeOff: (attempt, error) => deps.metrics.attemptFailed(attempt.exchange, failureKind(error)),
    };
  }

  forward(exchange: Exchange, route: ActiveRoute, path: string): void {
    const req = exchange.req;
    const headers = req.headers;
    exchange.route = route;
    exchange.chunked = headers['transfer-encoding'] !== undefined;
    exchange.hasBody = exchange.chunked || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    const expectsContinue = headers.expect !== undefined;
    prepareUpstreamHeaders(headers, exchange.requestId, req.socket.remoteAddress, 'http');
    // Tracing on: the upstream continues the exchange's span. Off: a client's traceparent goes on as it came.
    if (exchange.span !== undefined) headers[TRACEPARENT_HEADER] = traceparentOf(exchange.span);
    // Judged on what is forwarded: a key the client's Connection header named is kept (forwardedHeaders.ts).
    const key = headers['idempotency-key'];
    exchange.idempotent = key !== undefined && key !== '';
    Reflect.deleteProperty(headers, 'host'); // undici sends the upstream's own
    exchange.poolStart = route.pool.start();
    req.url = path;
    if (route.spec.totalTimeoutMs > 0) exchange.totalDue = exchange.start + route.spec.totalTimeoutMs;

    if (bodyLimit.declaredOver(headers, route)) {
      exchange.failure = 'body_too_large';
      answer.problem(exchange, problemFor('body_too_large', route.pool.name, 0));
      return;
    }
    const notUtf8 = exchange.hasBody ? jsonCharsetProblem(headers['content-type']) : undefined;
    if (notUtf8 !== undefined) {
      answer.problem(exchange, notUtf8);
      return;
    }
    if (route.breaker.state() === 'open') {
      this.rejected(exchange, route);
      return;
    }
    if (expectsContinue) exchange.res.writeContinue(); // only now: nothing above wants the body
    if (retryRule.needsBufferedBody(exchange, route)) {
      const reader = new BufferedBody(exchange, route, this);
      exchange.current = reader;
      reader.start();
      return;
    }
    this.launch(exchange, route);
  }

  /** One attempt through the breaker; the breaker refusing it (open, or a half-open probe out) answers 503. */
  launch(exchange: Exchange, route: ActiveRoute): void {
    if (exchange.done) return;
    const instance = route.pool.instance(exchange.poolStart, exchange.attempts);
    exchange.attempts++;
    exchange.target = instance.origin;
    exchange.failure = undefined;
    const attempt = new Attempt(exchange, route, instance, this.attemptDeps);
    exchange.current = attempt;
    ignore(route.breaker.fire(attempt));
    if (!attempt.running) {
      exchange.current = undefined;
      this.rejected(exchange, route);
    }
  }

  /** A buffered body is complete (or refused: then answered already). */
  bodyRead(exchange: Exchange, route: ActiveRoute, problem: Problem | undefined): void {
    exchange.current = undefined;
    if (problem !== undefined) answer.problem(exchange, problem);
    else this.launch(exchange, route);
  }

  private ended(attempt: Attempt, error: unknown, outcome: Outcome | undefined): void {
    const { exchange, route } = attempt;
    if (outcome !== undefined) {
      if (outcome === 'client_timeout') answer.clientTimeout(exchange, route.spec.responseTimeoutMs);
      return;
    }
    const kind = failureKind(error);
    this.deps.metrics.attemptFailed(exchange, kind);
    if (error instanceof UpstreamStatusError && error.delivered) return; // the upstream's 5xx is the answer
    if (exchange.attempts <= route.spec.retry.retries && retryRule.mayRetry(exchange, error)) {
      this.deps.metrics.retried(exchange, kind);
      const backoff = new Backoff(exchange, route, this);
      exchange.current = backoff;
      const due = performance.now() + backoffDelay(route.spec.retry, exchange.attempts - 1);
      if (exchange.totalDue > 0 && exchange.totalDue < due) {
        exchange.current = undefined;
        exchange.failure = 'timeout';
        answer.problem(exchange, problemFor('timeout', route.pool.name, 0));
        return;
      }
      this.deps.wheel.addAt(backoff, due);
      return;
    }
    if (kind === 'internal') this.deps.logger.error({ err: error, requestId: exchange.requestId }, 'proxying failed');
    exchange.failure = kind;
    answer.problem(exchange, problemFor(kind, route.pool.name, 0));
  }

  private rejected(exchange: Exchange, route: ActiveRoute): void {
    exchange.failure = 'breaker_open';
    this.deps.metrics.rejected(exchange);
    answer.problem(exchange, problemFor('breaker_open', route.pool.name, route.breaker.retryAfterSeconds()));
  }

  /** @internal */
  get wheel(): DeadlineWheel {
    return this.deps.wheel;
  }
}

/** A retry's wait, on the wheel. */
class Backoff implements Timed, AttemptInFlight {
  wheelDue = 0;
  wheelSlot = -1;
  private readonly exchange: Exchange;
  private readonly route: ActiveRoute;
  private readonly forwarder: Forwarder;

  constructor(exchange: Exchange, route: ActiveRoute, forwarder: Forwarder) {
    this.exchange = exchange;
    this.route = route;
    this.forwarder = forwarder;
  }

  onDeadline(): void {
    if (this.exchange.current === this) this.exchange.current = undefined;
    this.forwarder.launch(this.exchange, this.route);
  }

  cancel(): void {
    this.forwarder.wheel.remove(this);
  }
}

/**
 * The whole body of a request that may be retried, read before the first attempt, within
 * the route's body limit and `bodyTimeoutMs` (a wheel deadline).
 */
class BufferedBody implements Timed, AttemptInFlight {
  wheelDue = 0;
  wheelSlot = -1;
  readonly exchange: Exchange;
  private readonly route: ActiveRoute;
  private readonly forwarder: Forwarder;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(exchange: Exchange, route: ActiveRoute, forwarder: Forwarder) {
    this.exchange = exchange;
    this.route = route;
    this.forwarder = forwarder;
  }

  start(): void {
    this.forwarder.wheel.add(this, this.route.spec.bodyTimeoutMs);
    this.exchange.req.on('data', onBufferData).on('end', onBufferEnd).on('error', onBufferError);
  }

  data(chunk: Buffer): void {
    this.size += chunk.length;
    if (bodyLimit.over(this.size, this.route)) {
      this.exchange.failure = 'body_too_large';
      this.stop(new Problem('PAYLOAD_TOO_LARGE', `The body exceeds the limit of ${this.route.spec.bodyLimit} bytes.`, { headers: CLOSE }));
    } else this.chunks.push(chunk);
  }

  end(): void {
    this.detach();
    this.exchange.body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.exchange.req.headers['content-length'] = String(this.size);
    this.forwarder.bodyRead(this.exchange, this.route, undefined);
  }

  onDeadline(): void {
    this.stop(new Problem('REQUEST_TIMEOUT', `The body did not arrive within ${this.route.spec.bodyTimeoutMs} ms.`, { headers: CLOSE }));
  }

  cancel(): void {
    this.detach();
  }

  stop(problem: Problem | undefined): void {
    this.detach();
    this.exchange.req.pause();
    if (problem !== undefined) this.forwarder.bodyRead(this.exchange, this.route, problem);
    else this.exchange.current = undefined;
  }

  private detach(): void {
    this.forwarder.wheel.remove(this);
    this.exchange.req.off('data', onBufferData).off('end', onBufferEnd).off('error', onBufferError);
  }
}

const CLOSE = { connection: 'close' };

function readerOf(req: GatewayRequest): BufferedBody | undefined {
  const current = req.exchange?.current;
  return current instanceof BufferedBody ? current : undefined;
}

function onBufferData(this: GatewayRequest, chunk: Buffer): void {
  readerOf(this)?.data(chunk);
}

function onBufferEnd(this: GatewayRequest): void {
  readerOf(this)?.end();
}

function onBufferError(this: GatewayRequest): void {
  readerOf(this)?.stop(undefined);
}
