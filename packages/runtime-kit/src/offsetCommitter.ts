import type { Consumer } from 'kafkajs';
import type { Logger } from './logger.ts';

interface Position {
  topic: string;
  partition: number;
  /** The next offset to consume (the last processed + 1), as Kafka commits it. */
  offset: string;
}

/**
 * Commits a group member's processed offsets every `intervalMs` (and when it stops) instead
 * of kafkajs' autoCommit, which sends an OffsetCommit after every fetched batch: at a few
 * hundred events/s that is one commit per event per group, a quarter of the broker's CPU in
 * the whole-stack benchmark (docs/benchmarks.md, decision offset-commits-on-a-timer.md).
 * At-least-once is unchanged: only offsets of processed messages are committed, so a crash
 * delivers again at most the last `intervalMs` of them, which every consumer here applies
 * idempotently (versions in the views, triggering event ids in the reactions).
 */
export class OffsetCommitter {
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #pending = new Map<string, Position>();
  #consumer: Consumer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(intervalMs: number, logger: Logger) {
    this.#intervalMs = intervalMs;
    this.#logger = logger;
  }

  /**
   * Commits go through this consumer from now on. What an earlier (crashed) member processed
   * and did not commit is dropped: the group delivers it again. A rebalance drops the
   * partitions the member no longer holds (their new owner commits them).
   */
  attach(consumer: Consumer): void {
    this.#consumer = consumer;
    this.#pending.clear();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment;
      for (const [key, position] of this.#pending) {
        if (!(assigned[position.topic] ?? []).includes(position.partition)) this.#pending.delete(key);
      }
    });
    this.#timer ??= setInterval(() => void this.flush(), this.#intervalMs).unref();
  }

  /** `offset` of `topic`/`partition` and everything before it are processed. */
  processed(topic: string, partition: number, offset: string): void {
    this.#pending.set(`${topic}\u0000${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  /** Commits what is pending; a failed commit keeps it pending for the next try (unless newer offsets came meanwhile). */
  flush(): Promise<void> {
    this.#flushing ??= this.#commit().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** No more periodic commits (the caller flushes once more before it disconnects). */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #commit(): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer || this.#pending.size === 0) return;
    const taken = [...this.#pending];
    this.#pending.clear();
    try {
      await consumer.commitOffsets(taken.map(([, position]) => position));
    } catch (error) {
      // Kafka away or a rebalance under way: try again later, unless a newer offset is pending by then.
      for (const [key, position] of taken) if (!this.#pending.has(key) && this.#consumer === consumer) this.#pending.set(key, position);
      this.#logger.debug({ err: error }, 'offset commit failed; will commit later');
    }
  }
}
