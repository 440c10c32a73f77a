import { metricsIn, type Registry } from '@delivery/runtime-kit';

/** The read model's own metrics (names follow Prometheus conventions, base units). */
export function createReadModelMetrics(registry: Registry) {
  const { counter, gauge, histogram } = metricsIn(registry);
  return {
    reads: counter('read_model_reads_total', 'View reads by view, the source that answered (cache, store, fallback, none) and outcome', ['view', 'source', 'outcome']),
    fallbackCalls: counter(
      'read_model_fallback_calls_total',
      "Calls to a write service's query API (outcome: found, not_found for one id; batch for several; failed, circuit_open, rejected by the bulkhead)",
      ['service', 'outcome'],
    ),
    fallbackSkipped: counter(
      'read_model_fallback_skipped_total',
      'Fallback lookups answered without a call of their own (reason: unknown_recently, coalesced) or refused (over_request_cap)',
      ['service', 'reason'],
    ),
    consumerLag: gauge('read_model_consumer_lag', 'Messages behind the end of each partition (last commit or last batch)', ['topic', 'partition']),
    projectionLatency: histogram('read_model_projection_latency_seconds', "From an event's occurredAt to its view change being stored in MongoDB", [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]),
    events: counter('read_model_events_total', 'Consumed events by topic and outcome (projected, dead_lettered)', ['topic', 'outcome']),
    viewWrites: counter('read_model_view_writes_total', 'Guarded part writes by view and outcome (applied, stale, failed)', ['view', 'outcome']),
    batchDuration: histogram('read_model_batch_duration_seconds', 'Time to project one chunk of a batch (decode, store, derive, cache, DLT)', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
    batchInProgress: gauge('read_model_batch_in_progress', 'Events in the batch being projected now; 0 between batches'),
    consumerPaused: gauge('read_model_consumer_paused', '1 while the consumer is paused because MongoDB or Kafka failed, else 0'),
    consumerRetries: counter('read_model_consumer_pauses_total', 'Pauses of the consumer after a store or Kafka failure'),
    consumerRestarts: counter('read_model_consumer_restarts_total', 'Consumer restarts after a kafkajs crash'),
    cacheWriteFailures: counter('read_model_cache_write_failures_total', 'Batches whose Redis pipeline failed (their keys are purged when Redis is back)'),
    cachePurgedKeys: counter('read_model_cache_purged_keys_total', 'Possibly stale cache entries dropped after a Redis outage'),
  };
}

export type ReadModelMetrics = ReturnType<typeof createReadModelMetrics>;
