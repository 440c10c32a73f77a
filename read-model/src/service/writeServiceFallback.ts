import {
  createBreaker,
  isBreakerOpen,
  Problem,
  type Breaker,
  type BreakerSettings,
  type Logger,
  type Registry,
} from '@delivery/runtime-kit';
import { SNAPSHOT_BATCH_MAX, snapshotBatch } from '@delivery/contracts';
import { VIEW_ID_FIELDS, type ViewName, type Views } from '../handler/index.ts';
import type { ReadModelMetrics } from '../readModelMetrics.ts';
import { Bulkhead, BulkheadFull } from './bulkhead.ts';
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

/** What one id's lookup came to: the snapshot in the view's shape, null (unknown to the owner), or a Problem (503). */
export type FallbackAnswer<V> = V | null | Problem;

export interface FallbackSettings {
  breaker: BreakerSettings;
  bulkhead: { concurrency: number; queue: number };
  negativeTtlMs: number;
}

/** Ids answered 404 recently, per service; bounded, oldest first out. */
const NEGATIVE_CACHE_MAX = 10_000;

/**
 * The owning write service's query API, bounded so that no request (and no crowd of
 * requests) can flood it: one call for many ids (`GET /api/v1/<plural>?ids=…`, at most
 * SNAPSHOT_BATCH_MAX; a single id uses `GET /api/v1/<plural>/{id}`); an id already being
 * looked up by any request waits for that call instead of making another; an id the owner
 * answered 404 for is answered unknown for `negativeTtlMs` without asking; per service a
 * bulkhead bounds the calls in flight and waiting, and a circuit breaker stops calling a
 * failing service. Each call has its own aborting deadline. Answers are validated against
 * the shared snapshot schemas.
 */
export class WriteServiceFallback {
  readonly #calls: Record<FallbackService, (ids: string[], requestId: string | undefined) => Promise<Map<string, unknown>>>;
  readonly #breakers: Breaker<[string[], string | undefined], Map<string, unknown>>[] = [];
  readonly #metrics: ReadModelMetrics;
  readonly #negativeTtlMs: number;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #unknownUntil = new Map<string, number>();

  constructor(deps: {
    urls: Record<FallbackService, string>;
    settings: FallbackSettings;
    registry: Registry;
    logger: Logger;
    metrics: ReadModelMetrics;
  }) {
    this.#metrics = deps.metrics;
    this.#negativeTtlMs = deps.settings.negativeTtlMs;
    const callsOf = (view: ViewName) => {
      const { service, plural, snapshot: schema } = VIEW_OWNERS[view];
      const base = `${deps.urls[service].replace(/\/+$/, '')}/api/v1/${plural}`;
      const batchSchema = snapshotBatch(schema);
      const breaker = createBreaker(
        `read-model-fallback-${service}`,
        async (signal: AbortSignal, ids: string[], requestId: string | undefined) => {
          const single = ids.length === 1;
          const url = single ? `${base}/${encodeURIComponent(ids[0] ?? '')}` : `${base}?ids=${ids.map(encodeURIComponent).join(',')}`;
          const response = await fetch(url, {
            signal,
            headers: { accept: 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
          });
          if (single && response.status === 404) {
            await response.body?.cancel();
            return new Map<string, unknown>();
          }
          if (!response.ok) {
            await response.body?.cancel();
            throw new UpstreamStatus(service, response.status);
          }
          const body: unknown = await response.json();
          const snapshots = single ? [schema.parse(body)] : batchSchema.parse(body).items;
          return new Map<string, unknown>(snapshots.map((snapshot) => [idOf(view, snapshot), inUtc(snapshot)]));
        },
        deps.settings.breaker,
        { registry: deps.registry, logger: deps.logger, isFailure },
      );
      this.#breakers.push(breaker);
      const bulkhead = new Bulkhead(`the ${service} service's fallback bulkhead`, deps.settings.bulkhead);
      return async (ids: string[], requestId: string | undefined) => {
        try {
          const found = await bulkhead.run(() => breaker.fire(ids, requestId));
          const outcome = ids.length > 1 ? 'batch' : found.size === 1 ? 'found' : 'not_found';
          this.#metrics.fallbackCalls.inc({ service, outcome });
          return found;
        } catch (error) {
          if (error instanceof BulkheadFull) {
            this.#metrics.fallbackCalls.inc({ service, outcome: 'rejected' });
            throw new Problem('SERVICE_UNAVAILABLE', `The views are unavailable and ${error.message}.`, { headers: { 'Retry-After': '1' } });
          }
          if (isBreakerOpen(error)) {
            this.#metrics.fallbackCalls.inc({ service, outcome: 'circuit_open' });
            throw new Problem('CIRCUIT_OPEN', `The views are unavailable and the ${service} service's circuit is open.`, {
              headers: { 'Retry-After': String(breaker.retryAfterSeconds()) },
            });
          }
          this.#metrics.fallbackCalls.inc({ service, outcome: 'failed' });
          throw new Problem('SERVICE_UNAVAILABLE', `The views are unavailable and the ${service} service did not answer: ${(error as Error).message}`);
        }
      };
    };
    this.#calls = { order: callsOf('orders'), dispatch: callsOf('dispatches'), delivery: callsOf('deliveries') };
  }

  /**
   * The write service's answers for these ids in the view's shape: each id maps to its
   * snapshot, null when the service does not know it, or a Problem (CIRCUIT_OPEN with
   * Retry-After, SERVICE_UNAVAILABLE) when it could not be asked.
   */
  async lookupMany<V extends ViewName>(view: V, ids: readonly string[], requestId?: string): Promise<Map<string, FallbackAnswer<Views[V]>>> {
    const { service } = VIEW_OWNERS[view];
    const answers = new Map<string, FallbackAnswer<Views[V]>>();
    const waits: Promise<void>[] = [];
    const settle = (id: string, pending: Promise<unknown>) =>
      pending.then(
        (snapshot) => void answers.set(id, (snapshot ?? null) as Views[V] | null),
        (error: unknown) => void answers.set(id, error instanceof Problem ? error : new Problem('SERVICE_UNAVAILABLE', 'The views are unavailable.')),
      );
    const now = Date.now();
    const toAsk: string[] = [];
    for (const id of new Set(ids)) {
      const key = `${service}:${id}`;
      if ((this.#unknownUntil.get(key) ?? 0) > now) {
        answers.set(id, null);
        this.#metrics.fallbackSkipped.inc({ service, reason: 'unknown_recently' });
        continue;
      }
      const pending = this.#inFlight.get(key);
      if (pending) {
        this.#metrics.fallbackSkipped.inc({ service, reason: 'coalesced' });
        waits.push(settle(id, pending));
        continue;
      }
      toAsk.push(id);
    }
    for (let from = 0; from < toAsk.length; from += SNAPSHOT_BATCH_MAX) {
      const chunk = toAsk.slice(from, from + SNAPSHOT_BATCH_MAX);
      const call = this.#calls[service](chunk, requestId);
      for (const id of chunk) {
        const key = `${service}:${id}`;
        const pending = call.then((found) => {
          const snapshot = found.get(id) ?? null;
          if (snapshot === null) this.#rememberUnknown(key);
          return snapshot;
        });
        this.#inFlight.set(key, pending);
        void pending.then(
          () => this.#inFlight.delete(key),
          () => this.#inFlight.delete(key),
        );
        waits.push(settle(id, pending));
      }
    }
    await Promise.all(waits);
    return answers;
  }

  shutdown(): void {
    for (const breaker of this.#breakers) breaker.shutdown();
  }

  #rememberUnknown(key: string): void {
    if (this.#negativeTtlMs === 0) return;
    this.#unknownUntil.delete(key);
    this.#unknownUntil.set(key, Date.now() + this.#negativeTtlMs);
    if (this.#unknownUntil.size > NEGATIVE_CACHE_MAX) {
      const oldest = this.#unknownUntil.keys().next().value;
      if (oldest !== undefined) this.#unknownUntil.delete(oldest);
    }
  }
}

/** A snapshot's id (the view's id field). */
function idOf(view: ViewName, snapshot: unknown): string {
  return (snapshot as Record<string, string>)[VIEW_ID_FIELDS[view]] ?? '';
}
