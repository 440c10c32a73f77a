import type { RequestHandler } from 'express';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type PrometheusContentType } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/**
 * prom-client default metrics left out of every registry: gauges named `_total`, which
 * `promtool check metrics` refuses (only counters end in `_total`). Their per-type
 * breakdowns stay (`nodejs_active_handles{type}` etc.; `sum()` of one is the dropped total).
 */
export const EXCLUDED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/**
 * One registry per service, with process metrics and a `service` label on everything.
 * `defaultMetrics: false` leaves the process metrics out (a worker thread whose process
 * metrics the main thread reports).
 */
export function createRegistry(service: string, options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics === false) return registry;
  collectDefaultMetrics({ register: registry });
  for (const name of EXCLUDED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  return registry;
}

/** The metrics of several registries (`registry.getMetricsAsJSON()`, in worker threads). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * One registry from the metrics of several (one per worker thread, say): the series of
 * each metric are combined by the `aggregator` the metric declares (sum by default; `max`
 * for a state gauge, …), as prom-client's cluster mode does. The first list decides a
 * metric's aggregator and help.
 */
export function aggregateMetrics(lists: readonly MetricsJson[]): Registry {
  return AggregatorRegistry.aggregate<PrometheusContentType>([...lists]);
}

/**
 * Metric constructors bound to one registry, so that a service's catalogue of metrics reads
 * as one line of facts each: name, help, labels (and buckets).
 */
export function metricsIn(registry: Registry) {
  const registers = [registry];
  return {
    counter: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers }),
    gauge: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers }),
    histogram: <L extends string = never>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
      new Histogram<L>({ name, help, buckets, labelNames, registers }),
  };
}

export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * HTTP latency per route template (never the raw path: ids would explode cardinality)
 * and status class.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const histogram = httpLatencyHistogram(registry);
  return (req, res, next) => {
    const stop = histogram.startTimer();
    res.once('finish', () => {
      const route = (res.locals.routeLabel as string | undefined) ?? routeTemplate(req) ?? 'unmatched';
      stop({ method: req.method, route, status_class: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };
}

export type HttpLatencyHistogram = Histogram<'method' | 'route' | 'status_class'>;

/**
 * The `http_server_request_duration_seconds` histogram of a registry (created on first use),
 * for handlers that record latency themselves instead of through `httpMetrics` (the gateway).
 */
export function httpLatencyHistogram(registry: Registry): HttpLatencyHistogram {
  const name = 'http_server_request_duration_seconds';
  return (
    (registry.getSingleMetric(name) as HttpLatencyHistogram | undefined) ??
    new Histogram({
      name,
      help: 'HTTP request latency by method, route template and status class',
      labelNames: ['method', 'route', 'status_class'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    })
  );
}

function routeTemplate(req: Parameters<RequestHandler>[0]): string | undefined {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? req.baseUrl + route.path : undefined;
}

export function metricsEndpoint(registry: Registry): RequestHandler {
  return (_req, res, next) => {
    registry
      .metrics()
      .then((body) => res.type(registry.contentType).send(body))
      .catch(next);
  };
}
