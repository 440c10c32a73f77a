import {
  createBreaker,
  isBreakerOpen,
  Problem,
  type Breaker,
  type BreakerSettings,
  type Logger,
  type Registry,
} from '@delivery/runtime-kit';
import type { ViewName, Views } from '../handler/index.ts';
import type { ReadModelMetrics } from '../readModelMetrics.ts';
import { VIEW_OWNERS, type FallbackService } from './viewOwners.ts';

class UpstreamStatus extends Error {
  readonly status: number;
  constructor(service: string, status: number) {
    super(`${service} query API answered ${status}`);
    this.name = 'UpstreamStatus';
    this.status = status;
  }
}

/** A snapshot's timestamps (its fields named `…At`, nested too) in UTC, as the views answer them. */
function inUtc(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return key.endsWith('At') ? new Date(value).toISOString() : value;
  if (Array.isArray(value)) return value.map((item) => inUtc(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inUtc(v, k)]));
  return value;
}

/** 5xx, invalid answers, network errors and deadlines count against the breaker; a 4xx does not. */
const isFailure = (error: unknown) => !(error instanceof UpstreamStatus && error.status < 500);

/**
 * The owning write service's query API, one circuit breaker per service. Each call has its
 * own deadline whose AbortSignal cancels the HTTP request; an open breaker answers at once
 * without calling the service. Answers are validated against the shared snapshot schemas.
 */
export class WriteServiceFallback {
  readonly #breakers: Record<FallbackService, Breaker<[string, string | undefined], unknown>>;
  readonly #metrics: ReadModelMetrics;

  constructor(deps: {
    urls: Record<FallbackService, string>;
    breaker: BreakerSettings;
    registry: Registry;
    logger: Logger;
    metrics: ReadModelMetrics;
  }) {
    this.#metrics = deps.metrics;
    const breakerOf = (view: ViewName) => {
      const { service, plural, snapshot: schema } = VIEW_OWNERS[view];
      const base = deps.urls[service].replace(/\/+$/, '');
      return createBreaker(
        `read-model-fallback-${service}`,
        async (signal: AbortSignal, id: string, requestId: string | undefined) => {
          const response = await fetch(`${base}/api/v1/${plural}/${encodeURIComponent(id)}`, {
            signal,
            headers: { accept: 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
          });
          if (response.status === 404) {
            await response.body?.cancel();
            return null;
          }
          if (!response.ok) {
            await response.body?.cancel();
            throw new UpstreamStatus(service, response.status);
          }
          return inUtc(schema.parse(await response.json()));
        },
        deps.breaker,
        { registry: deps.registry, logger: deps.logger, isFailure },
      );
    };
    this.#breakers = { order: breakerOf('orders'), dispatch: breakerOf('dispatches'), delivery: breakerOf('deliveries') };
  }

  /**
   * The write service's answer in the view's shape, or null when it does not know the id.
   * Rejects with a Problem: CIRCUIT_OPEN (with Retry-After) or SERVICE_UNAVAILABLE.
   */
  async lookup<V extends ViewName>(view: V, id: string, requestId?: string): Promise<Views[V] | null> {
    const source = VIEW_OWNERS[view];
    const breaker = this.#breakers[source.service];
    try {
      const snapshot = await breaker.fire(id, requestId);
      this.#metrics.fallbackCalls.inc({ service: source.service, outcome: snapshot === null ? 'not_found' : 'found' });
      return snapshot as Views[V] | null;
    } catch (error) {
      if (isBreakerOpen(error)) {
        this.#metrics.fallbackCalls.inc({ service: source.service, outcome: 'circuit_open' });
        throw new Problem('CIRCUIT_OPEN', `The views are unavailable and the ${source.service} service's circuit is open.`, {
          headers: { 'Retry-After': String(breaker.retryAfterSeconds()) },
        });
      }
      this.#metrics.fallbackCalls.inc({ service: source.service, outcome: 'failed' });
      throw new Problem('SERVICE_UNAVAILABLE', `The views are unavailable and the ${source.service} service did not answer: ${(error as Error).message}`);
    }
  }

  shutdown(): void {
    for (const breaker of Object.values(this.#breakers)) breaker.shutdown();
  }
}
