import { setTimeout as sleep } from 'node:timers/promises';
import { createRegistry, type Logger } from '@delivery/runtime-kit';
import type { ReadModelConfig } from '../config/index.ts';
import {
  CacheFence,
  collectionName,
  createMongoClient,
  dropOtherGenerations,
  ensureActiveGeneration,
  ensureIndexes,
  MetaWatcher,
  switchActiveGeneration,
  ViewCache,
  ViewStore,
  viewCollections,
} from '../repository/index.ts';
import { VIEW_NAMES } from '../handler/index.ts';
import { createReadModelMetrics } from '../readModelMetrics.ts';
import { ConsumerLagPoller } from './consumerLag.ts';
import { createProjection, eventTopics } from './createProjection.ts';
import { createKafka } from './kafkaClient.ts';
import type { ProjectionConsumer } from './projectionConsumer.ts';

export interface RebuildOptions {
  /** How long the rebuild keeps projecting after the switch, so that every reader and live consumer follows the pointer. */
  graceMs?: number;
  /** Gives up (and drops the half-built generation) if the replay has not caught up by then. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RebuildResult {
  from: number;
  to: number;
  groupId: string;
  events: number;
  replayMs: number;
  dropped: string[];
}

/**
 * `npm run read-model:rebuild`: replays the event topics from the beginning into the next
 * generation of collections with a fresh consumer group, then moves the active-generation
 * pointer to it (docs/decisions/read-model-rebuild-swap.md):
 * 1. create generation N+1 (dropping leftovers of an earlier failed attempt) and its indexes;
 * 2. a new group reads every topic from offset 0 into N+1 (no cache writes while replaying);
 * 3. when its lag is 0 on every partition it starts writing the cache (keys of N+1), and the
 *    pointer moves N → N+1 (compare-and-set: a concurrent rebuild loses);
 * 4. it keeps projecting for the grace period: events the live consumer still wrote into N
 *    before it saw the pointer land in N+1 as well (idempotent);
 * 5. it stops, deletes its group and drops generation N.
 */
export async function rebuildViews(config: Readonly<ReadModelConfig>, logger: Logger, options: RebuildOptions = {}): Promise<RebuildResult> {
  const graceMs = options.graceMs ?? Math.max(5000, config.metaRefreshMs * 5);
  const timeoutMs = options.timeoutMs ?? 60 * 60_000;
  const metrics = createReadModelMetrics(createRegistry('read-model-rebuild'));
  const mongo = createMongoClient(config.mongo);
  const db = mongo.db(config.mongo.database);
  const cache = new ViewCache(config.redis);
  const kafka = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-rebuild` }, logger);
  const topics = eventTopics(config.kafka.topics);
  let consumer: ProjectionConsumer | undefined;
  let lag: ConsumerLagPoller | undefined;
  const started = Date.now();
  let building: number | undefined;
  let fence: CacheFence | undefined;
  try {
    const from = await ensureActiveGeneration(db);
    const to = from + 1;
    building = to;
    for (const view of VIEW_NAMES) await db.dropCollection(collectionName(view, to)).catch(() => false);
    const target = viewCollections(db, to);
    await ensureIndexes(target);
    const groupId = `${config.kafka.groupId}-rebuild-gen${to}-${Date.now()}`;
    const watcher = new MetaWatcher(db, config.metaRefreshMs, logger);
    fence = new CacheFence({ db, cache, watcher, instanceId: `${config.instanceId}-rebuild`, logger, onPurge: () => undefined });
    let caughtUp = false;
    consumer = createProjection({
      config,
      kafka,
      groupId,
      store: new ViewStore(),
      views: () => Promise.resolve(target),
      // No cache writes while replaying: nobody reads this generation before the switch.
      cache: { cache, fence, enabled: () => caughtUp },
      metrics,
      logger,
    });
    logger.info({ from, to, groupId }, 'rebuild: replaying the event topics from the beginning');
    consumer.start();
    lag = new ConsumerLagPoller(kafka, { groupId, topics, intervalMs: 1000, metrics, logger });
    for (;;) {
      options.signal?.throwIfAborted();
      if (Date.now() - started > timeoutMs) throw new Error(`rebuild did not catch up within ${timeoutMs} ms`);
      if (consumer.isJoined()) {
        const lags = await lag.measure().catch(() => undefined);
        const behind = lags ? [...lags.values()].reduce((a, b) => a + b, 0) : undefined;
        if (behind === 0) break;
        if (behind !== undefined) logger.info({ behind }, 'rebuild: replaying');
      }
      await sleep(500);
    }
    const replayMs = Date.now() - started;
    caughtUp = true;
    if (!(await switchActiveGeneration(db, from, to))) throw new Error(`the active generation moved away from ${from} during the rebuild`);
    logger.info({ from, to, replayMs }, 'rebuild: caught up; active generation switched');
    await sleep(graceMs, undefined, options.signal ? { signal: options.signal } : {});
    await consumer.stop();
    consumer = undefined;
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch((error: unknown) => logger.warn({ err: error, groupId }, 'rebuild: could not delete its group'));
    await admin.disconnect();
    const dropped = await dropOtherGenerations(db, to);
    const purged = await cache.purgeAll(from).catch(() => 0);
    const events = (await metrics.events.get()).values.reduce((sum, v) => sum + v.value, 0);
    logger.info({ from, to, dropped, purged, events }, 'rebuild: done');
    return { from, to, groupId, events, replayMs, dropped };
  } catch (error) {
    // Not switched: the half-built generation goes; the live one is untouched.
    await consumer?.stop();
    const active = await ensureActiveGeneration(db).catch(() => undefined);
    if (building !== undefined && active !== undefined && active !== building) {
      for (const view of VIEW_NAMES) await db.dropCollection(collectionName(view, building)).catch(() => false);
    }
    throw error;
  } finally {
    await lag?.stop();
    fence?.close();
    await cache.close();
    await mongo.close();
  }
}
