import { randomUUID } from 'node:crypto';
import { type DomainEvent, EVENT_HEADERS, parseDomainEvent } from '@delivery/contracts';
import { kafkaBrokers } from '@delivery/infra';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { eventually } from './eventually.ts';

/** One consumed message: the envelope parsed against the contract, with key and headers. */
export interface TappedEvent {
  key: string | undefined;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  event: DomainEvent;
}

export type TopicOffsets = { partition: number; offset: string }[];

/**
 * Reads a shared topic from offsets taken before the test acted (never from the start of
 * its history), in a consumer group of its own. Every message is parsed against the
 * contract; tests filter by the aggregate ids they created.
 */
export class EventTap {
  readonly received: TappedEvent[] = [];
  readonly violations: string[] = [];
  private readonly consumer: Consumer;
  private readonly kafka: Kafka;
  private readonly groupId: string;
  private readonly topic: string;
  private readonly brokers: string[];
  /** Per partition, the offset after the last message read (parsed or not): how far the tap got. */
  private readonly position = new Map<number, bigint>();

  private constructor(kafka: Kafka, consumer: Consumer, groupId: string, topic: string, brokers: string[]) {
    this.kafka = kafka;
    this.consumer = consumer;
    this.groupId = groupId;
    this.topic = topic;
    this.brokers = brokers;
  }

  /** The topic's current end, per partition: where a tap started later should begin. */
  static async endOffsets(topic: string, brokers: string[] = kafkaBrokers()): Promise<TopicOffsets> {
    const admin = new Kafka({ clientId: 'event-tap-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high }));
    } finally {
      await admin.disconnect();
    }
  }

  static async start(topic: string, options: { from?: TopicOffsets; brokers?: string[] } = {}): Promise<EventTap> {
    const brokers = options.brokers ?? kafkaBrokers();
    const from = options.from ?? (await EventTap.endOffsets(topic, brokers));
    const kafka = new Kafka({ clientId: 'event-tap', brokers, logLevel: logLevel.NOTHING });
    const groupId = `test-tap-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    const tap = new EventTap(kafka, consumer, groupId, topic, brokers);
    for (const { partition, offset } of from) tap.position.set(partition, BigInt(offset));
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`event tap on ${topic} did not join its group in 60 s`)), 60_000);
      timer.unref();
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    joined.catch(() => undefined); // awaited below; never an unhandled rejection if connect fails first
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          );
          const next = BigInt(message.offset) + 1n;
          if (next > (tap.position.get(partition) ?? 0n)) tap.position.set(partition, next);
          try {
            const event = parseDomainEvent(JSON.parse(message.value?.toString() ?? 'null'));
            tap.received.push({ key: message.key?.toString(), partition, offset: message.offset, headers, event });
          } catch (error) {
            tap.violations.push(`${partition}@${message.offset}: ${(error as Error).message}`);
          }
          await Promise.resolve();
        },
      });
      await joined; // seeking needs the group (run() may return before it exists, e.g. right after a broker restart)
      for (const { partition, offset } of from) consumer.seek({ topic, partition, offset });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return tap;
  }

  /** Events of one aggregate in arrival order. */
  eventsOf(aggregateId: string): DomainEvent[] {
    return this.received.filter((r) => r.event.aggregateId === aggregateId).map((r) => r.event);
  }

  recordsOf(aggregateId: string): TappedEvent[] {
    return this.received.filter((r) => r.event.aggregateId === aggregateId);
  }

  /** Waits until `count` events of the aggregate arrived; returns them. */
  async waitForEvents(aggregateId: string, count: number, timeoutMs = 30_000): Promise<DomainEvent[]> {
    await eventually(() => this.eventsOf(aggregateId).length >= count, {
      timeoutMs,
      what: () => `${count} events of ${aggregateId}, got ${this.eventsOf(aggregateId).map((e) => e.eventType).join(', ') || 'none'}`,
    });
    return this.eventsOf(aggregateId);
  }

  /**
   * Proves that nothing else arrived for an aggregate up to a marker: waits until an event
   * of the aggregate matching `isMarker` (published after whatever must not show up, e.g.
   * by a later command on the same aggregate) arrived, then returns every event of the
   * aggregate seen so far, marker included. The aggregate id is the message key, so one
   * partition holds them all in publish order: anything published before the marker has
   * arrived before it.
   */
  async eventsUntilMarker(aggregateId: string, isMarker: (event: DomainEvent) => boolean, timeoutMs = 30_000): Promise<DomainEvent[]> {
    await eventually(() => this.eventsOf(aggregateId).some(isMarker), {
      timeoutMs,
      what: () => `the marker event of ${aggregateId}, got ${this.eventsOf(aggregateId).map((e) => e.eventType).join(', ') || 'none'}`,
    });
    return this.eventsOf(aggregateId);
  }

  /**
   * Waits until the tap has read every message the topic held when called, on every
   * partition: whatever was published (acknowledged by Kafka) before this call is in
   * `received` (or `violations`) afterwards. The cross-partition counterpart of a marker.
   */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const end = await EventTap.endOffsets(this.topic, this.brokers);
    const behind = () => end.filter(({ partition, offset }) => (this.position.get(partition) ?? 0n) < BigInt(offset));
    await eventually(() => behind().length === 0, {
      timeoutMs,
      what: () => `the tap on ${this.topic} to reach ${behind().map((p) => `${p.partition}@${p.offset}`).join(', ')}`,
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch {
      // best effort: an empty group expires on its own
    } finally {
      await admin.disconnect();
    }
  }
}

export const eventHeaderNames = EVENT_HEADERS;
