import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * A circuit breaker with per-call deadlines. opossum's own `abortController` is one per
 * breaker, so its timeout would abort every call in flight; here each call gets its own
 * AbortSignal that fires at `timeoutMs`, and the action must pass it to its I/O so a
 * timed-out request is really cancelled.
 *
 * `timeoutMs: 0` is the lean mode for callers that keep their own deadlines (the gateway's
 * timer wheel): no AbortController, timer or wrapper per call; the action gets one shared
 * signal that never aborts.
 */
export interface BreakerSettings {
  /** Per-call deadline; 0: none (the caller bounds its calls itself). */
  timeoutMs: number;
  /** Failure percentage in the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Calls in the window before the percentage counts (opossum's default 0 opens on the first failure). */
  volumeThreshold: number;
  /** How long the breaker stays open before one half-open probe. */
  resetTimeoutMs: number;
  rollingCountTimeoutMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = Object.freeze({
  timeoutMs: 5000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 5000,
  rollingCountTimeoutMs: 10_000,
});

export type BreakerState = 'closed' | 'open' | 'half-open';
const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export class DeadlineExceeded extends Error {
  constructor(timeoutMs: number) {
    super(`deadline of ${timeoutMs} ms exceeded`);
    this.name = 'DeadlineExceeded';
  }
}

export interface Breaker<A extends unknown[], R> {
  readonly name: string;
  fire(...args: A): Promise<R>;
  state(): BreakerState;
  /** Retry-After seconds to advertise while open. */
  retryAfterSeconds(): number;
  shutdown(): void;
}

export interface BreakerDeps {
  registry: Registry;
  logger: Logger;
  /** Errors for which this returns false (e.g. 4xx answers) pass through without counting as failures. */
  isFailure?: (error: unknown) => boolean;
}

export function createBreaker<A extends unknown[], R>(
  name: string,
  action: (signal: AbortSignal, ...args: A) => Promise<R>,
  settings: BreakerSettings,
  deps: BreakerDeps,
): Breaker<A, R> {
  const withDeadline = async (...args: A): Promise<R> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DeadlineExceeded(settings.timeoutMs)), settings.timeoutMs);
    try {
      return await action(controller.signal, ...args);
    } catch (error) {
      throw controller.signal.aborted && controller.signal.reason instanceof DeadlineExceeded
        ? controller.signal.reason
        : error;
    } finally {
      clearTimeout(timer);
    }
  };
  const direct = (...args: A): Promise<R> => action(NEVER_ABORTED, ...args);
  const circuit = new CircuitBreaker(settings.timeoutMs > 0 ? withDeadline : direct, {
    timeout: false,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    resetTimeout: settings.resetTimeoutMs,
    rollingCountTimeout: settings.rollingCountTimeoutMs,
    errorFilter: (error: unknown) => !(deps.isFailure ?? (() => true))(error),
    name,
  });
  const { stateGauge, transitions } = breakerMetrics(deps.registry);
  let state: BreakerState = 'closed';
  let openedAt = 0;
  const enter = (next: BreakerState) => {
    if (next === 'open') openedAt = Date.now();
    if (next !== state) deps.logger.warn({ breaker: name, from: state, to: next }, 'circuit breaker state changed');
    state = next;
    stateGauge.set({ breaker: name }, STATE_VALUE[next]);
    transitions.inc({ breaker: name, to: next });
  };
  stateGauge.set({ breaker: name }, 0);
  circuit.on('open', () => enter('open'));
  circuit.on('halfOpen', () => enter('half-open'));
  circuit.on('close', () => enter('closed'));

  return {
    name,
    fire: (...args: A): Promise<R> => circuit.fire(...args),
    state: () => state,
    retryAfterSeconds: () =>
      Math.max(1, Math.ceil((openedAt + settings.resetTimeoutMs - Date.now()) / 1000)),
    shutdown: () => circuit.shutdown(),
  };
}

const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** Whether an error is opossum's "breaker is open" rejection (the action was not called). */
export function isBreakerOpen(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'EOPENBREAKER';
}

function breakerMetrics(registry: Registry) {
  const stateGauge =
    (registry.getSingleMetric('circuit_breaker_state') as Gauge<'breaker'> | undefined) ??
    new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'] as const,
      // Several registries of one service (worker threads) report the worst state, not a sum.
      aggregator: 'max',
      registers: [registry],
    });
  const transitions =
    (registry.getSingleMetric('circuit_breaker_transitions_total') as Counter<'breaker' | 'to'> | undefined) ??
    new Counter({
      name: 'circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes',
      labelNames: ['breaker', 'to'] as const,
      registers: [registry],
    });
  return { stateGauge, transitions };
}
