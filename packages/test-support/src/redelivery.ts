import { kafkaBrokers } from '@delivery/infra';
import { Kafka, logLevel } from 'kafkajs';
import { eventually } from './eventually.ts';

export interface Delivered {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Publishes a message again, as an at-least-once producer or a replay would: same topic,
 * key and value (the default partitioner puts it on the same partition).
 */
export async function redeliver(topic: string, key: string, value: string, brokers: string[] = kafkaBrokers()): Promise<Delivered> {
  const producer = new Kafka({ clientId: 'test-redelivery', brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const [sent] = await producer.send({ topic, messages: [{ key, value }] });
    if (!sent) throw new Error(`no acknowledgement for the redelivery on ${topic}`);
    return { topic, partition: sent.partition, offset: sent.baseOffset ?? '-1' };
  } finally {
    await producer.disconnect();
  }
}

/** Resolves once `groupId` has committed past `message`: it consumed it and everything before it on its partition. */
export async function waitCommittedPast(groupId: string, message: Delivered, brokers: string[] = kafkaBrokers()): Promise<void> {
  const admin = new Kafka({ clientId: 'test-committed', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const [topic] = await admin.fetchOffsets({ groupId, topics: [message.topic] });
        const committed = topic?.partitions.find((p) => p.partition === message.partition)?.offset ?? '-1';
        return Number(committed) > Number(message.offset);
      },
      { timeoutMs: 30_000, what: `group ${groupId} to commit past ${message.topic}/${message.partition}@${message.offset}` },
    );
  } finally {
    await admin.disconnect();
  }
}
