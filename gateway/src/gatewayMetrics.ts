import { performance } from 'node:perf_hooks';
import { Counter, httpLatencyHistogram, type HttpLatencyHistogram, type Logger, type Registry } from '@delivery/runtime-kit';
import type { Exchange, ExchangeObserver } from './exchange.ts';
import type { BucketTable } from './rateLimiter.ts';
import type { FailureKind } from './upstreamError.ts';

/**
 * What the gateway records per request: one access-log line and the latency histogram
 * (per route and status class), plus upstream errors by kind, retries and breaker
 * rejections and rate-limit refusals. Breaker state itself is exported by runtime-kit's breaker
 * (`circuit_breaker_state{breaker="<route>"}`).
 */
export class GatewayMetrics implements ExchangeObserver {
  private readonly latency: HttpLatencyHistogram;
  private readonly upstreamErrors: Counter<'route' | 'upstream' | 'kind'>;
  private readonly retries: Counter<'route' | 'upstream' | 'kind'>;
  private readonly rejections: Counter<'route'>;
  private readonly limited: Counter<'route'>;
  private readonly registry: Registry;
  readonly reloads: Counter<'result'>;
  private readonly labels = new Map<string, { method: string; route: string; status_class: string }>();
  private readonly logger: Logger;

  constructor(registry: Registry, logger: Logger) {
    this.logger = logger;
    this.registry = registry;
    this.latency = httpLatencyHistogram(registry);
    this.upstreamErrors = new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Failed upstream attempts by route, upstream and kind (connect_refused, timeout, status_5xx, dependency_unavailable, ...)',
      labelNames: ['route', 'upstream', 'kind'] as const,
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'gateway_retries_total',
      help: 'Upstream attempts repeated, by route, upstream and the kind of failure that caused them',
      labelNames: ['route', 'upstream', 'kind'] as const,
      registers: [registry],
    });
    this.rejections = new Counter({
      name: 'gateway_circuit_open_rejections_total',
      help: 'Requests answered 503 by an open circuit breaker without calling the upstream',
      labelNames: ['route'] as const,
      registers: [registry],
    });
    this.limited = new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests answered 429 by the rate limit of their route (per client address), without calling the upstream',
      labelNames: ['route'] as const,
      registers: [registry],
    });
    this.reloads = routeReloadCounter(registry);
  }

  attemptFailed(exchange: Exchange, kind: FailureKind): void {
    this.upstreamErrors.inc({ route: exchange.route?.name ?? '', upstream: exchange.route?.pool.name ?? '', kind });
  }

  retried(exchange: Exchange, kind: FailureKind): void {
    this.retries.inc({ route: exchange.route?.name ?? '', upstream: exchange.route?.pool.name ?? '', kind });
  }

  rejected(exchange: Exchange): void {
    this.rejections.inc({ route: exchange.route?.name ?? '' });
  }

  rateLimited(exchange: Exchange): void {
    this.limited.inc({ route: exchange.route?.name ?? '' });
  }

  /**
   * The bucket table's own counters, read at scrape time. They belong to the table: with
   * worker threads sharing one, every worker reports the same value (aggregate with max).
   */
  observeRateLimits(table: BucketTable): void {
    new Counter({
      name: 'gateway_rate_limit_evictions_total',
      help: 'Rate-limit buckets evicted before they were full (the table was full; their client starts over with a full bucket)',
      registers: [this.registry],
      aggregator: 'max',
      collect() {
        this.reset();
        this.inc(table.stats().evictedActive);
      },
    });
  }

  /**
   * Requests a worker thread took (`GATEWAY_WORKERS` > 1), read at scrape time from a plain
   * count kept by the worker: how evenly the kernel spreads connections over the workers.
   */
  observeWorkerRequests(worker: string, served: () => number): void {
    new Counter({
      name: 'gateway_worker_requests_total',
      help: 'Requests received on the public port, by worker thread (GATEWAY_WORKERS > 1)',
      labelNames: ['worker'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ worker }, served());
      },
    });
  }

  /** The client side is over: observe latency and write the access-log line. */
  finished(exchange: Exchange): void {
    const { req, res, route } = exchange;
    const status = res.writableFinished ? res.statusCode : 499;
    const seconds = (performance.now() - exchange.start) / 1000;
    const method = req.method ?? '';
    const routeName = route?.name ?? 'unmatched';
    this.latency.observe(this.labelsFor(method, routeName, status), seconds);
    this.logger.info(
      {
        requestId: exchange.requestId,
        method,
        path: req.url,
        route: routeName,
        status,
        latencyMs: Math.round(seconds * 100_000) / 100,
        upstream: route?.pool.name,
        target: exchange.target,
        attempts: exchange.attempts,
        breaker: route?.breaker.state(),
        error: exchange.failure,
      },
      'request',
    );
  }

  private labelsFor(method: string, route: string, status: number): { method: string; route: string; status_class: string } {
    const statusClass = status === 499 ? 'client_closed' : `${Math.floor(status / 100)}xx`;
    const key = `${route} ${method} ${statusClass}`;
    let labels = this.labels.get(key);
    if (labels === undefined) {
      labels = Object.freeze({ method, route, status_class: statusClass });
      this.labels.set(key, labels);
    }
    return labels;
  }
}

/**
 * `gateway_route_reloads_total{result}`. With worker threads only the main thread counts
 * (it reads the file once and hands it to every worker); the workers' counters stay empty.
 */
export function routeReloadCounter(registry: Registry): Counter<'result'> {
  return new Counter({
    name: 'gateway_route_reloads_total',
    help: 'Route file reloads by result (applied, refused)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
}
