import { join } from 'node:path';
import { ensureInfrastructure, infrastructureEnv, mongoUrl, redisUrl, startPlatform, statePath, type Platform } from '@delivery/infra';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { freePorts, startGroupAtEnd } from '@delivery/test-support';

/**
 * The whole platform as child processes on free ports, against the real infrastructure.
 * The read model uses a consumer group and database of the e2e suite's own, kept across
 * runs, so it never replays another suite's history from scratch.
 */
/** The read model's MongoDB database of a suite's platform (kept across runs). */
export const viewDatabaseOf = (suite: string) => `read_model_e2e_${suite.replaceAll('-', '_')}`;

export interface WholeSystemOptions {
  /**
   * Start the read model's group at the topics' current ends (the default): a suite reads
   * only what it writes, so it skips the history (hundreds of thousands of events after
   * benchmarks) that its group would otherwise replay before the suite's own events.
   */
  skipHistory?: boolean;
}

/** `env` adds to (or overrides) the services' environment, e.g. a setting one suite needs. */
export async function startWholeSystem(suite: string, env: NodeJS.ProcessEnv = {}, options: WholeSystemOptions = {}): Promise<Platform> {
  await ensureInfrastructure();
  const groupId = `read-model-e2e-${suite}`;
  if (options.skipHistory ?? true) {
    await startGroupAtEnd(groupId);
    // Nothing of earlier runs is read again: their views go, so the store does not grow run after run.
    await forgetViews(viewDatabaseOf(suite), `e2e:${suite}:`);
  }
  return startPlatform({
    ports: await freePorts(),
    env: {
      ...infrastructureEnv(),
      KAFKA_GROUP_ID: groupId,
      MONGO_DATABASE: viewDatabaseOf(suite),
      REDIS_KEY_PREFIX: `e2e:${suite}:`,
      LOG_LEVEL: 'info',
      ...env,
    },
    logDir: join(statePath('logs'), `e2e-${suite}`),
  });
}

/** Drops a suite's view database and its Redis keys (views, list index, markers). */
async function forgetViews(database: string, redisPrefix: string): Promise<void> {
  const mongo = new MongoClient(mongoUrl(), { serverSelectionTimeoutMS: 30_000 });
  try {
    await mongo.db(database).dropDatabase();
  } finally {
    await mongo.close();
  }
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
