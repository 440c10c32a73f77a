import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { DEAD_LETTER_TOPIC, EVENT_TOPICS } from '@delivery/contracts';

/**
 * The platform's topics, created up front (the broker never auto-creates). Event topics keep
 * their whole history (retention.ms=-1): a read-model rebuild replays them from the start.
 */
export const platformTopics: readonly ITopicConfig[] = [
  ...Object.values(EVENT_TOPICS).map((topic) => ({
    topic,
    numPartitions: 3,
    replicationFactor: 1,
    configEntries: [{ name: 'retention.ms', value: '-1' }],
  })),
  { topic: DEAD_LETTER_TOPIC, numPartitions: 3, replicationFactor: 1 },
];

/**
 * Creates the missing topics; returns the names created. `listTopics` first: `createTopics`
 * on an existing topic returns false but logs an ERROR line.
 */
export async function ensureTopics(brokers: string[], topics: readonly ITopicConfig[] = platformTopics): Promise<string[]> {
  const admin = new Kafka({ clientId: 'infra-topics', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter(({ topic }) => !existing.has(topic));
    if (missing.length > 0) await admin.createTopics({ topics: [...missing], waitForLeaders: true });
    return missing.map(({ topic }) => topic);
  } finally {
    await admin.disconnect();
  }
}
