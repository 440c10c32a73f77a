import { Partitioners, type IHeaders, type Kafka, type Producer } from 'kafkajs';

/** A consumed message and where it came from. */
export interface SourceMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** A consumed message that cannot be projected, and why. */
export interface DeadLetter extends SourceMessage {
  reason: string;
}

/**
 * The dead-letter producer. Not idempotent on purpose: an idempotent kafkajs producer must
 * retry without limit, so a send during a Kafka outage would hang the chunk instead of
 * failing it (then the consumer pauses and retries the chunk). A retried chunk may park a
 * message twice; the DLT is at-least-once, like the views.
 */
export function deadLetterProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: false,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

export const DLT_HEADERS = {
  reason: 'dlt-reason',
  topic: 'dlt-source-topic',
  partition: 'dlt-source-partition',
  offset: 'dlt-source-offset',
  group: 'dlt-consumer-group',
  failedAt: 'dlt-failed-at',
} as const;

/**
 * Parks poison messages in the dead-letter topic: the original key, value and headers, plus
 * the reason and the source position. One send per chunk; the chunk's offsets are resolved
 * only after it succeeds, so a Kafka failure here retries the chunk rather than losing it.
 */
export class DeadLetterPublisher {
  readonly #producer: Producer;
  /** The dead-letter topic and the consumer group whose poison it holds (a header of each letter). */
  readonly #destination: { topic: string; groupId: string };

  constructor(producer: Producer, destination: { topic: string; groupId: string }) {
    this.#producer = producer;
    this.#destination = destination;
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = new Date().toISOString();
    await this.#producer.send({
      topic: this.#destination.topic,
      messages: letters.map((l) => ({
        key: l.key,
        value: l.value,
        headers: {
          ...l.headers,
          [DLT_HEADERS.reason]: l.reason.slice(0, 4000),
          [DLT_HEADERS.topic]: l.topic,
          [DLT_HEADERS.partition]: String(l.partition),
          [DLT_HEADERS.offset]: l.offset,
          [DLT_HEADERS.group]: this.#destination.groupId,
          [DLT_HEADERS.failedAt]: failedAt,
        },
      })),
    });
  }
}
