import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import type { DomainEvent } from '@delivery/contracts';
import { kafkaBrokers } from '@delivery/infra';
import { waitGroupConsumed } from '@delivery/test-support';
import type { TopicNames } from '../../src/index.ts';

/**
 * Topics of a suite's own (3 partitions each, like the platform's), so that suites running
 * at the same time never see each other's events and a fresh group may read from the start.
 */
export class KafkaFixture {
  readonly kafka = new Kafka({ clientId: 'read-model-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  readonly topics: TopicNames;
  #producer: Producer | undefined;
  readonly #consumers: Consumer[] = [];

  constructor(suite: string) {
    const base = `rmtest.${suite}.${randomUUID().slice(0, 8)}`;
    this.topics = { order: `${base}.order.event`, dispatch: `${base}.dispatch.event`, delivery: `${base}.delivery.event`, deadLetter: `${base}.dlt` };
  }

  async create(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: Object.values(this.topics).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  async producer(): Promise<Producer> {
    if (!this.#producer) {
      this.#producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await this.#producer.connect();
    }
    return this.#producer;
  }

  topicOf(event: DomainEvent): string {
    return this.topics[event.aggregateType];
  }

  /** Sends events in the given order (consecutive events of one topic in one request), key = aggregate id. */
  async produce(events: readonly DomainEvent[]): Promise<void> {
    const producer = await this.producer();
    let i = 0;
    while (i < events.length) {
      const topic = this.topicOf(events[i]!);
      const run: DomainEvent[] = [];
      while (i < events.length && this.topicOf(events[i]!) === topic) run.push(events[i++]!);
      await producer.send({ topic, messages: run.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e), headers: { 'event-type': e.eventType } })) });
    }
  }

  async produceRaw(topic: string, messages: { key: string; value: string }[]): Promise<void> {
    await (await this.producer()).send({ topic, messages });
  }

  /** Collects every message of a topic from its start (the DLT, in tests). */
  async collect(topic: string): Promise<KafkaMessage[]> {
    const received: KafkaMessage[] = [];
    const consumer = this.kafka.consumer({ groupId: `rmtest-collect-${randomUUID()}`, sessionTimeout: 10_000 });
    this.#consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.push(message);
        return Promise.resolve();
      },
    });
    return received;
  }

  /** Resolves once the group has committed every message of the event topics (all consumed and stored). */
  async waitConsumed(groupId: string, timeoutMs = 20_000): Promise<void> {
    await waitGroupConsumed(this.kafka, groupId, [this.topics.order, this.topics.dispatch, this.topics.delivery], { timeoutMs });
  }

  async destroy(): Promise<void> {
    for (const consumer of this.#consumers) await consumer.disconnect().catch(() => undefined);
    await this.#producer?.disconnect().catch(() => undefined);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: Object.values(this.topics), timeout: 10_000 }).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  }
}
