import { Counter, Gauge, type Registry } from '@delivery/runtime-kit';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import { type OutboxBacklog, readBacklog } from './outboxTable.ts';

export interface OutboxMetrics {
  published: Counter;
  publishFailures: Counter;
  leader: Gauge;
}

/**
 * Backlog size and the age of the oldest unsent row, read from the table at scrape time
 * (one query shared by both gauges), plus what the relay counts as it goes.
 */
export function outboxMetrics(registry: Registry, db: SqlExecutor): OutboxMetrics {
  let pending: Promise<OutboxBacklog> | undefined;
  let last: OutboxBacklog = { size: 0, oldestAgeSeconds: 0 };
  const backlog = async (): Promise<OutboxBacklog> => {
    pending ??= readBacklog(db)
      .then((value) => (last = value))
      .catch(() => last)
      .finally(() => setTimeout(() => (pending = undefined), 100).unref());
    return pending;
  };
  new Gauge({
    name: 'outbox_backlog_events',
    help: 'Outbox rows not yet published to Kafka',
    registers: [registry],
    async collect() {
      this.set((await backlog()).size);
    },
  });
  new Gauge({
    name: 'outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest outbox row not yet published (0 when none)',
    registers: [registry],
    async collect() {
      this.set((await backlog()).oldestAgeSeconds);
    },
  });
  return {
    published: new Counter({
      name: 'outbox_published_events_total',
      help: 'Outbox rows published to Kafka and marked sent',
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Relay cycles that failed (Kafka or database unavailable)',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'outbox_relay_leader',
      help: '1 while this instance holds the relay lease',
      registers: [registry],
    }),
  };
}
