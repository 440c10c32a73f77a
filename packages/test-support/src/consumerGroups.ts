import { EVENT_TOPICS } from '@delivery/contracts';
import { kafkaBrokers } from '@delivery/infra';
import { Kafka, logLevel } from 'kafkajs';

// Consumer groups of a test's or a benchmark's platform (the read model's, the write services'
// reactions): they start at the topics' end, so other runs' history is not this run's work.

const admin = () => new Kafka({ brokers: kafkaBrokers(), clientId: 'test-support-groups', logLevel: logLevel.NOTHING }).admin();

/**
 * Commits the topics' current ends as the group's offsets. Explicit offsets: kafkajs'
 * `resetOffsets({ earliest: false })` commits -1 ("latest"), which a consumer subscribing
 * with `fromBeginning: true` (the read model's) takes for no offset, and replays everything.
 */
export async function startGroupAtEnd(groupId: string): Promise<void> {
  const client = admin();
  await client.connect();
  try {
    for (const topic of Object.values(EVENT_TOPICS)) {
      const partitions = (await client.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high }));
      await client.setOffsets({ groupId, topic, partitions });
    }
  } finally {
    await client.disconnect();
  }
}

export async function deleteGroup(groupId: string): Promise<void> {
  const client = admin();
  try {
    await client.connect();
    await client.deleteGroups([groupId]);
  } catch {
    // best effort: an empty group of a finished run harms nothing
  } finally {
    await client.disconnect();
  }
}
