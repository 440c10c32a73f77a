import { type DomainEvent, topicOf } from '@delivery/contracts';
import { executeLater, type SqlExecutor } from '../db/sqlExecutor.ts';

/**
 * The `outbox_event` table of every service's schema.prisma. Rows are appended in the
 * command's transaction and read back in `id` order: a later version of an aggregate is
 * inserted only after the aggregate's UPDATE, which waits for the earlier version's
 * commit, so `id` order is version order per aggregate.
 */
export interface OutboxRow {
  id: bigint;
  eventId: string;
  aggregateId: string;
  version: number;
  eventType: string;
  topic: string;
  correlationId: string;
  /** The W3C traceparent of the command that wrote the row (the Kafka header `traceparent`); null: none. */
  traceParent: string | null;
  /** The Kafka message value, byte for byte. */
  envelope: string;
}

/** `traceParent`: the command's W3C traceparent (a valid one, runtime-kit's `validTraceparent`), stored with each row. */
export async function appendToOutbox(
  tx: SqlExecutor,
  events: readonly DomainEvent[],
  topicFor: (event: DomainEvent) => string = topicOf,
  traceParent?: string,
): Promise<void> {
  if (events.length === 0) return;
  const values = events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))').join(', ');
  const params = events.flatMap((event) => [
    event.eventId,
    event.aggregateId,
    event.version,
    event.eventType,
    topicFor(event),
    event.correlationId,
    traceParent ?? null,
    JSON.stringify(event),
  ]);
  // Sent with the transaction's next write or its COMMIT (one round trip), in this order.
  await executeLater(
    tx,
    `INSERT INTO outbox_event (event_id, aggregate_id, version, event_type, topic, correlation_id, trace_parent, envelope, created_at) VALUES ${values}`,
    ...params,
  );
}

interface RawOutboxRow {
  id: bigint | number;
  event_id: string;
  aggregate_id: string;
  version: number;
  event_type: string;
  topic: string;
  correlation_id: string;
  trace_parent: string | null;
  envelope: string;
}

export async function readUnsent(db: SqlExecutor, limit: number): Promise<OutboxRow[]> {
  const rows = await db.$queryRawUnsafe<RawOutboxRow[]>(
    `SELECT id, event_id, aggregate_id, version, event_type, topic, correlation_id, trace_parent, envelope
       FROM outbox_event WHERE sent_at IS NULL ORDER BY id LIMIT ?`,
    limit,
  );
  return rows.map((row) => ({
    id: BigInt(row.id),
    eventId: row.event_id,
    aggregateId: row.aggregate_id,
    version: row.version,
    eventType: row.event_type,
    topic: row.topic,
    correlationId: row.correlation_id,
    traceParent: row.trace_parent ?? null,
    envelope: row.envelope,
  }));
}

export async function markSent(db: SqlExecutor, ids: readonly bigint[]): Promise<void> {
  if (ids.length === 0) return;
  await db.$executeRawUnsafe(
    `UPDATE outbox_event SET sent_at = UTC_TIMESTAMP(3) WHERE id IN (${ids.map(() => '?').join(', ')})`,
    ...ids,
  );
}

export interface OutboxBacklog {
  size: number;
  /** Age of the oldest unsent row, 0 when there is none. */
  oldestAgeSeconds: number;
}

export async function readBacklog(db: SqlExecutor): Promise<OutboxBacklog> {
  const [row] = await db.$queryRawUnsafe<{ size: bigint | number; age_us: bigint | number | null }[]>(
    `SELECT COUNT(*) AS size, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(3)) AS age_us
       FROM outbox_event WHERE sent_at IS NULL`,
  );
  return { size: Number(row?.size ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.age_us ?? 0) / 1e6) };
}

/** Sent rows are history only; the topic keeps the events. */
export async function purgeSent(db: SqlExecutor, olderThanHours: number, limit = 5000): Promise<number> {
  return db.$executeRawUnsafe(
    'DELETE FROM outbox_event WHERE sent_at IS NOT NULL AND sent_at < UTC_TIMESTAMP(3) - INTERVAL ? HOUR LIMIT ?',
    olderThanHours,
    limit,
  );
}
