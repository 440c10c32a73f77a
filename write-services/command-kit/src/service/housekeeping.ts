import type { Logger } from '@delivery/runtime-kit';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import type { IdempotencyStore } from '../idempotency/idempotencyStore.ts';
import { purgeSent } from '../outbox/outboxTable.ts';

export interface HousekeepingSettings {
  intervalMs: number;
  /** Sent outbox rows are kept this long for inspection (the topic keeps the events). */
  sentRetentionHours: number;
}

export const DEFAULT_HOUSEKEEPING: HousekeepingSettings = Object.freeze({
  intervalMs: 10 * 60 * 1000,
  sentRetentionHours: 7 * 24,
});

/** Drops expired Idempotency-Key records and old sent outbox rows, in small batches; safe on every instance. */
export function startHousekeeping(
  db: SqlExecutor,
  idempotency: IdempotencyStore,
  logger: Logger,
  settings: HousekeepingSettings = DEFAULT_HOUSEKEEPING,
): { stop(): void } {
  const sweep = async () => {
    const keys = await idempotency.purgeExpired();
    const rows = await purgeSent(db, settings.sentRetentionHours);
    if (keys + rows > 0) logger.info({ idempotencyRecords: keys, outboxRows: rows }, 'housekeeping purged');
  };
  const timer = setInterval(() => {
    sweep().catch((error: unknown) => logger.warn({ err: error }, 'housekeeping failed'));
  }, settings.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
