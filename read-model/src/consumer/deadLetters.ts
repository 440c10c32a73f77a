import type { IHeaders, Producer } from 'kafkajs';

/** A consumed message that cannot be projected, with where it came from and why. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  reason: string;
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
  readonly #topic: string;
  readonly #groupId: string;

  constructor(producer: Producer, topic: string, groupId: string) {
    this.#producer = producer;
    this.#topic = topic;
    this.#groupId = groupId;
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = new Date().toISOString();
    await this.#producer.send({
      topic: this.#topic,
      messages: letters.map((l) => ({
        key: l.key,
        value: l.value,
        headers: {
          ...l.headers,
          [DLT_HEADERS.reason]: l.reason.slice(0, 4000),
          [DLT_HEADERS.topic]: l.topic,
          [DLT_HEADERS.partition]: String(l.partition),
          [DLT_HEADERS.offset]: l.offset,
          [DLT_HEADERS.group]: this.#groupId,
          [DLT_HEADERS.failedAt]: failedAt,
        },
      })),
    });
  }
}
