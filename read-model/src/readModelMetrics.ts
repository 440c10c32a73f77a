import { Counter, Gauge, Histogram, type Registry } from '@delivery/runtime-kit';

/** The read model's own metrics (names follow Prometheus conventions, base units). */
export function createReadModelMetrics(registry: Registry) {
  const registers = [registry];
  return {
    reads: new Counter({
      name: 'read_model_reads_total',
      help: 'View reads by view, the source that answered (cache, store, fallback, none) and outcome',
      labelNames: ['view', 'source', 'outcome'] as const,
      registers,
    }),
    fallbackCalls: new Counter({
      name: 'read_model_fallback_calls_total',
      help: "Calls to a write service's query API (outcome: found, not_found, failed, circuit_open)",
      labelNames: ['service', 'outcome'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: 'read_model_consumer_lag',
      help: 'Messages behind the end of each partition (last commit or last batch)',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    projectionLatency: new Histogram({
      name: 'read_model_projection_latency_seconds',
      help: "From an event's occurredAt to its view change being stored in MongoDB",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    events: new Counter({
      name: 'read_model_events_total',
      help: 'Consumed events by topic and outcome (projected, dead_lettered)',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    }),
    viewWrites: new Counter({
      name: 'read_model_view_writes_total',
      help: 'Guarded part writes by view and outcome (applied, stale, failed)',
      labelNames: ['view', 'outcome'] as const,
      registers,
    }),
    batchDuration: new Histogram({
      name: 'read_model_batch_duration_seconds',
      help: 'Time to project one chunk of a batch (decode, store, derive, cache, DLT)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    consumerPaused: new Gauge({
      name: 'read_model_consumer_paused',
      help: '1 while the consumer is paused because MongoDB or Kafka failed, else 0',
      registers,
    }),
    consumerRetries: new Counter({
      name: 'read_model_consumer_pauses_total',
      help: 'Pauses of the consumer after a store or Kafka failure',
      registers,
    }),
    consumerRestarts: new Counter({
      name: 'read_model_consumer_restarts_total',
      help: 'Consumer restarts after a kafkajs crash',
      registers,
    }),
    cacheWriteFailures: new Counter({
      name: 'read_model_cache_write_failures_total',
      help: 'Batches whose Redis pipeline failed (their keys are purged when Redis is back)',
      registers,
    }),
    cachePurgedKeys: new Counter({
      name: 'read_model_cache_purged_keys_total',
      help: 'Possibly stale cache entries dropped after a Redis outage',
      registers,
    }),
  };
}

export type ReadModelMetrics = ReturnType<typeof createReadModelMetrics>;
