import { join } from 'node:path';
import { EVENT_TOPICS } from '@delivery/contracts';
import { ensureInfrastructure, infrastructureEnv, kafkaBrokers, startPlatform, statePath, type Platform } from '@delivery/infra';
import { freePorts } from '@delivery/test-support';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The whole platform as child processes on free ports, against the real infrastructure.
 * The read model uses a consumer group and database of the e2e suite's own, kept across
 * runs, so it never replays another suite's history from scratch.
 */
/** The read model's MongoDB database of a suite's platform (kept across runs). */
export const viewDatabaseOf = (suite: string) => `read_model_e2e_${suite.replaceAll('-', '_')}`;

export interface WholeSystemOptions {
  /**
   * Start the read model's group at the topics' current ends: the suite reads only what it
   * writes, so it skips the history (tens of thousands of events after benchmarks) that a
   * new group would replay first.
   */
  skipHistory?: boolean;
}

/** `env` adds to (or overrides) the services' environment, e.g. a setting one suite needs. */
export async function startWholeSystem(suite: string, env: NodeJS.ProcessEnv = {}, options: WholeSystemOptions = {}): Promise<Platform> {
  await ensureInfrastructure();
  const groupId = `read-model-e2e-${suite}`;
  if (options.skipHistory) await startGroupAtEnd(groupId);
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

/**
 * Commits the event topics' current ends as the group's offsets (the group must have no
 * member). Explicit offsets: kafkajs' `resetOffsets({ earliest: false })` commits -1, which a
 * consumer subscribing `fromBeginning` (the read model) takes for no offset, replaying all.
 */
export async function startGroupAtEnd(groupId: string): Promise<void> {
  const admin = new Kafka({ brokers: kafkaBrokers(), clientId: 'e2e-whole-system', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const topic of Object.values(EVENT_TOPICS)) {
      const partitions = (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high }));
      await admin.setOffsets({ groupId, topic, partitions });
    }
  } finally {
    await admin.disconnect();
  }
}
