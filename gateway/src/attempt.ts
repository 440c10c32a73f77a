import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { DeadlineExceeded } from '@delivery/runtime-kit';
import { answer } from './answer.ts';
import { bodyLimit } from './bodyLimit.ts';
import type { DeadlineWheel, Timed } from './deadlineWheel.ts';
import type { AttemptInFlight, Exchange, GatewayResponse } from './exchange.ts';
import { retryRule } from './retryRule.ts';
import type { ActiveRoute, BreakerCall, Outcome } from './routeSet.ts';
import { ClientFault, failureKind, unavailableDependency, UpstreamStatusError } from './upstreamError.ts';
import type { UpstreamInstance } from './upstreamPool.ts';

/** How an attempt ended, reported once to the forwarding (`forward.ts`), which decides what comes next. */
export type AttemptEnded = (attempt: Attempt, error: unknown, outcome: Outcome | undefined) => void;

export interface AttemptDeps {
  wheel: DeadlineWheel;
  ended: AttemptEnded;
  /** The answer's head was out when the attempt failed (the whole-exchange deadline passed mid-body): counted only. */
  brokeOff: (attempt: Attempt, error: Error) => void;
}

type Phase = 'connect' | 'head' | 'body' | 'discard' | 'over';

const CONNECT_TIMEOUT = 'ECONNECT_TIMEOUT';
const noop = (): void => undefined;

/**
 * One upstream attempt: sent through the instance's undici Pool with `dispatch`, this object
 * being the dispatch handler, the deadline on the gateway's wheel, the call the route's
 * breaker counts (`run`), and the request body's source. As body source it hands undici the
 * client's request stream without letting undici destroy it: a body cut off at the limit, or
 * too slow, still gets its 413/408 on the client's connection. Nothing here allocates per
 * chunk; per attempt, this object and the promise opossum needs.
 *
 * Deadlines, one wheel entry at a time: connect (until undici writes the request on a
 * connection), then the response head (`responseTimeoutMs` from the attempt's start), then
 * the whole exchange (`totalTimeoutMs`), which bounds the two before it as well.
 */
export class Attempt implements BreakerCall, AttemptInFlight, Timed, Dispatcher.DispatchHandler {
  readonly exchange: Exchange;
  readonly route: ActiveRoute;
  readonly instance: UpstreamInstance;
  private readonly deps: AttemptDeps;
  private readonly started = performance.now();
  wheelDue = 0;
  wheelSlot = -1;
  /** run() was called: the breaker let the attempt through. */
  running = false;
  private phase: Phase = 'connect';
  private controller: Dispatcher.DispatchController | undefined = undefined;
  private cancelled: Error | undefined = undefined;
  private resolve: ((outcome: Outcome) => void) | undefined = undefined;
  private reject: ((error: unknown) => void) | undefined = undefined;
  private received = 0;
  private drainHooked = false;
  // Body source (see the class comment).
  destroyed = false;

  constructor(exchange: Exchange, route: ActiveRoute, instance: UpstreamInstance, deps: AttemptDeps) {
    this.exchange = exchange;
    this.route = route;
    this.instance = instance;
    this.deps = deps;
  }

  /** The breaker's action. */
  run(): Promise<Outcome> {
    this.running = true;
    const { promise, resolve, reject } = Promise.withResolvers<Outcome>();
    this.resolve = resolve;
    this.reject = reject;
    const exchange = this.exchange;
    const spec = this.route.spec;
    this.armDeadline(this.started + spec.connectTimeoutMs);
    const req = exchange.req;
    // The body source stands in for a Readable (see the class comment).
    const body = exchange.body ?? (exchange.hasBody ? (this as unknown as Readable) : null);
    try {
      this.instance.pool.dispatch(
        { path: req.url ?? '/', method: req.method as Dispatcher.HttpMethod, headers: req.headers, body, headersTimeout: 0, bodyTimeout: 0 },
        this,
      );
    } catch (error) {
      this.fail(error);
    }
    return promise;
  }

  // --- undici dispatch handler -------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cancelled !== undefined) {
      controller.abort(this.cancelled);
      return;
    }
    this.phase = 'head';
    this.armDeadline(this.started + this.route.spec.responseTimeoutMs);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    statusText: string,
  ): void {
    if (this.resolve === undefined) {
      controller.abort(this.cancelled ?? new Error('attempt over'));
      return;
    }
    const exchange = this.exchange;
    // A 503 naming a dependency of the upstream is its answer, not its failure: passed through, not retried.
    const dependency = unavailableDependency(status, headers);
    if (status >= 500 && dependency === undefined && retryRule.retriesStatus(exchange, this.route, status)) {
      this.phase = 'discard'; // read off the connection, which stays in the pool
      this.fail(new UpstreamStatusError(status, false));
      return;
    }
    try {
      answer.head(exchange, status, statusText, (controller.rawHeaders as Buffer[] | null | undefined) ?? [], headers.connection);
    } catch (error) {
      controller.abort(error as Error);
      this.fail(error);
      return;
    }
    this.phase = 'body';
    if (exchange.totalDue > 0) this.deps.wheel.addAt(this, exchange.totalDue);
    else this.deps.wheel.remove(this);
    if (status >= 500) this.fail(new UpstreamStatusError(status, true, dependency));
    else {
      this.route.pool.succeeded(this.instance);
      this.settle('answered');
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.phase !== 'body') return;
    const res = this.exchange.res;
    if (!res.write(chunk)) {
      controller.pause();
      if (!this.drainHooked) {
        this.drainHooked = true;
        res.on('drain', resumeUpstream);
      }
    }
  }

  onResponseEnd(): void {
    this.deps.wheel.remove(this);
    if (this.phase === 'body') this.exchange.res.end();
    this.over();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.deps.wheel.remove(this);
    if (this.resolve !== undefined) this.fail(error);
    else if (this.phase === 'body') this.exchange.res.destroy(); // broke off mid-answer: so does the client's
    this.over();
  }

  onBodySent(chunk: Buffer): void {
    if (!this.exchange.chunked) return; // a Content-Length body was checked against the limit before
    this.received += chunk.length;
    if (bodyLimit.over(this.received, this.route)) {
      const fault = new ClientFault('body_too_large');
      this.fail(fault);
      this.controller?.abort(fault);
    }
  }

  /** The client's connection drained: read on from the upstream. */
  resumeUpstream(): void {
    this.controller?.resume();
  }

  // --- deadlines and cancellation ----------------------------------------------------------

  onDeadline(now: number): void {
    const exchange = this.exchange;
    const total = exchange.totalDue > 0 && now >= exchange.totalDue;
    const spec = this.route.spec;
    if (this.phase === 'connect') {
      const error = total
        ? new DeadlineExceeded(spec.totalTimeoutMs)
        : Object.assign(new Error(`connect to ${this.instance.origin} timed out after ${spec.connectTimeoutMs} ms`), { code: CONNECT_TIMEOUT });
      this.stop(error);
      this.fail(error);
    } else if (this.phase === 'head') {
      // A body still arriving when the deadline passes is the client's slowness, not the upstream's.
      if (!total && exchange.hasBody && exchange.body === undefined && !exchange.req.complete) {
        // Settled first: aborting calls onResponseError at once, which would count it as the upstream's failure.
        this.settle('client_timeout');
        this.stop(new DeadlineExceeded(spec.responseTimeoutMs));
        return;
      }
      const error = new DeadlineExceeded(total ? spec.totalTimeoutMs : spec.responseTimeoutMs);
      this.stop(error);
      this.fail(error);
    } else if (this.phase === 'body') {
      // Stalled mid-answer past the exchange's deadline: the head is out, so the client's connection is cut.
      const error = new DeadlineExceeded(spec.totalTimeoutMs);
      exchange.failure = 'timeout';
      this.deps.brokeOff(this, error);
      this.stop(error);
    }
  }

  /** The client went away (or the exchange is over): stop the upstream request. */
  cancel(reason: Error): void {
    this.deps.wheel.remove(this);
    if (this.resolve !== undefined) this.settle('client_gone');
    if (this.phase !== 'over') this.stop(reason);
  }

  private armDeadline(due: number): void {
    const total = this.exchange.totalDue;
    this.deps.wheel.addAt(this, total > 0 && total < due ? total : due);
  }

  private stop(reason: Error): void {
    if (this.controller !== undefined) this.controller.abort(reason);
    else this.cancelled = reason; // not on a connection yet: aborted when undici starts it
  }

  private over(): void {
    this.phase = 'over';
    if (this.drainHooked) this.exchange.res.off('drain', resumeUpstream);
    if (this.exchange.current === this) this.exchange.current = undefined;
  }

  private settle(outcome: Outcome): void {
    const resolve = this.resolve;
    if (resolve === undefined) return;
    this.resolve = undefined;
    this.reject = undefined;
    resolve(outcome);
    if (outcome !== 'answered') this.deps.wheel.remove(this);
    this.deps.ended(this, undefined, outcome);
  }

  private fail(error: unknown): void {
    const reject = this.reject;
    if (reject === undefined) return;
    this.resolve = undefined;
    this.reject = undefined;
    if (this.phase !== 'body') this.deps.wheel.remove(this);
    const kind = failureKind(error);
    this.exchange.failure = kind;
    if (kind !== 'body_too_large' && kind !== 'client_closed' && kind !== 'dependency_unavailable') this.route.pool.failed(this.instance);
    reject(error);
    this.deps.ended(this, error, undefined);
  }

  // --- body source: undici reads the client's request through these ------------------------

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.exchange.req.on(event, listener);
    return this;
  }

  off(event: string, listener: (...args: unknown[]) => void): this {
    this.exchange.req.off(event, listener);
    return this;
  }

  removeListener(event: string, listener: (...args: unknown[]) => void): this {
    return this.off(event, listener);
  }

  pause(): this {
    this.exchange.req.pause();
    return this;
  }

  resume(): this {
    this.exchange.req.resume();
    return this;
  }

  pipe(): never {
    throw new Error('not a readable stream');
  }

  /** undici's end of the body: the client's request is left alone (its connection may still get an answer). */
  destroy(): this {
    this.destroyed = true;
    return this;
  }

  /** undici registers no `end` listener that would destroy the source (see `destroy`). */
  get _readableState(): { autoDestroy: true } {
    return READABLE_STATE;
  }

  get readableEnded(): boolean {
    return this.exchange.req.readableEnded;
  }

  get errored(): Error | null {
    return this.exchange.req.errored;
  }

  get closed(): boolean {
    return this.exchange.req.closed;
  }
}

const READABLE_STATE = { autoDestroy: true } as const;

function resumeUpstream(this: GatewayResponse): void {
  const attempt = this.req.exchange?.current;
  if (attempt instanceof Attempt) attempt.resumeUpstream();
}


/** A promise opossum returns; the flow goes through `AttemptDeps.ended`, so its outcome is dropped here. */
export function ignore(promise: Promise<unknown>): void {
  promise.then(noop, noop);
}
