import express from 'express';
import {
  createLogger,
  createRegistry,
  healthRouter,
  httpMetrics,
  listen,
  metricsEndpoint,
  problemErrorHandler,
  requestId,
  routeNotFound,
  runShutdown,
  type Logger,
  type Registry,
} from '@delivery/runtime-kit';
import type { ReadModelConfig } from './config/index.ts';
import { ConsumerLagPoller, createKafka, createProjection, eventTopics, OrderListBackfill, type ProjectionConsumer } from './consumer/index.ts';
import { graphqlRouter, openApiDocument, restRouter, type GraphQLApi } from './controller/index.ts';
import {
  CacheFence,
  createMongoClient,
  ensureActiveGeneration,
  generationViews,
  MetaWatcher,
  OrderListIndex,
  ViewCache,
  ViewStore,
} from './repository/index.ts';
import { STAGES } from './handler/index.ts';
import { createReadModelMetrics, type ReadModelMetrics } from './readModelMetrics.ts';
import { ViewReader, WriteServiceFallback } from './service/index.ts';

export interface ReadModel {
  port: number;
  logger: Logger;
  registry: Registry;
  metrics: ReadModelMetrics;
  /** The query service (absent in the consumer profile); REST and GraphQL resolve through it. */
  reader: ViewReader | undefined;
  /** The projection consumer (absent in the api profile). */
  consumer: ProjectionConsumer | undefined;
  close(): Promise<void>;
}

export interface ReadModelOverrides {
  /** Benchmark-only: a store whose writes are stubbed, to show the service's own share. */
  store?: ViewStore;
}

/**
 * Starts the read model in the profile the configuration names:
 * - `full`: consumer + query API (health, metrics, REST, GraphQL, OpenAPI);
 * - `consumer`: Kafka projections, and only health and metrics on its port;
 * - `api`: the query API, joining no consumer group.
 * Neither MongoDB, Redis nor Kafka need to be up for it to start.
 */
export async function startReadModel(config: Readonly<ReadModelConfig>, overrides: ReadModelOverrides = {}): Promise<ReadModel> {
  const logger = createLogger('read-model', config.logLevel).child({ profile: config.profile });
  const registry = createRegistry('read-model');
  const metrics = createReadModelMetrics(registry);
  const mongo = createMongoClient(config.mongo);
  const db = mongo.db(config.mongo.database);
  const watcher = new MetaWatcher(db, config.metaRefreshMs, logger);
  watcher.start();
  const cache = new ViewCache(config.redis);
  const fence = new CacheFence({
    db,
    cache,
    watcher,
    instanceId: config.instanceId,
    logger,
    onPurge: (keys) => metrics.cachePurgedKeys.inc(keys),
  });
  const store = overrides.store ?? new ViewStore();
  const listIndex = new OrderListIndex(cache, STAGES);

  let consumer: ProjectionConsumer | undefined;
  let lagPoller: ConsumerLagPoller | undefined;
  let listBackfill: OrderListBackfill | undefined;
  if (config.profile !== 'api') {
    const kafka = createKafka(config.kafka, logger);
    consumer = createProjection({
      config,
      kafka,
      groupId: config.kafka.groupId,
      store,
      // The live consumer follows the active generation (a rebuild moves it).
      views: generationViews(db, async () => watcher.generation() ?? ensureActiveGeneration(db)),
      cache: { cache, fence, enabled: () => true, listIndex },
      metrics,
      logger,
    });
    consumer.start();
    lagPoller = new ConsumerLagPoller(kafka, {
      groupId: config.kafka.groupId,
      topics: eventTopics(config.kafka.topics),
      intervalMs: config.lagPollMs,
      metrics,
      logger,
    });
    lagPoller.start();
    listBackfill = new OrderListBackfill({ db, watcher, fence, index: listIndex, logger, intervalMs: config.listIndexCheckMs });
    listBackfill.start();
    fence.clearOrphanedFence().catch((error: unknown) => logger.warn({ err: error }, 'could not check the cache fence at start'));
  }

  let reader: ViewReader | undefined;
  let fallback: WriteServiceFallback | undefined;
  if (config.profile !== 'consumer') {
    fallback = new WriteServiceFallback({ urls: config.fallback.urls, settings: config.fallback, registry, logger, metrics });
    reader = new ViewReader({
      db,
      store,
      watcher,
      cache: { cache, fence, listIndex },
      fallback,
      fallbackOnMiss: config.fallback.onMiss,
      fallbackMaxPerRequest: config.fallback.maxPerRequest,
      readTimeoutMs: config.mongo.readTimeoutMs,
      metrics,
      registry,
      logger,
    });
  }

  const graphql: GraphQLApi | undefined = reader ? await graphqlRouter({ reader, registry, logger, settings: config.graphql }) : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestId);
  app.use(httpMetrics(registry));
  const projecting = consumer;
  app.use(healthRouter(projecting ? { consumer: () => Promise.resolve(projecting.isJoined()) } : {}));
  app.get('/metrics', metricsEndpoint(registry));
  if (graphql) app.use(graphql.router);
  if (reader) {
    const document = openApiDocument();
    app.get('/openapi.json', (_req, res) => {
      res.json(document);
    });
    app.use(restRouter(reader));
  }
  app.use(routeNotFound);
  app.use(problemErrorHandler(logger));
  const http = await listen(app, config.port, config.host);
  logger.info({ host: http.host, port: http.port, groupId: config.kafka.groupId, database: config.mongo.database }, 'read model started');

  let closing: Promise<void> | undefined;
  return {
    port: http.port,
    logger,
    registry,
    metrics,
    reader,
    consumer,
    close: () =>
      (closing ??= runShutdown(
        [
          { name: 'drain http', run: () => http.close() },
          { name: 'stop graphql', run: () => graphql?.stop() },
          { name: 'stop consumer', run: () => consumer?.stop() },
          { name: 'stop lag poller', run: () => lagPoller?.stop() },
          { name: 'stop order list backfill', run: () => listBackfill?.stop() },
          { name: 'stop meta watcher', run: () => watcher.stop() },
          { name: 'stop breakers', run: () => (reader?.shutdown(), fallback?.shutdown()) },
          { name: 'close redis', run: () => (fence.close(), cache.close()) },
          { name: 'close mongodb', run: () => mongo.close() },
        ],
        logger,
      )),
  };
}
