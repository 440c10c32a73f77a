import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '@delivery/runtime-kit';
import type { ReadModelMetrics } from '../readModelMetrics.ts';

/** How long `stop()` waits for a poll in flight before disconnecting. */
const STOP_GRACE_MS = 3000;

/**
 * Consumer lag per partition from the broker's view: end offset minus the group's committed
 * offset, every `intervalMs`. The consumer also sets the gauge after each batch; this poll
 * keeps it right while the consumer is paused, crashed or idle.
 */
export class ConsumerLagPoller {
  readonly #admin: Admin;
  readonly #groupId: string;
  readonly #topics: string[];
  readonly #intervalMs: number;
  readonly #metrics: ReadModelMetrics;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #connected = false;
  #stopped = false;
  #polling: Promise<void> | undefined;

  constructor(kafka: Kafka, options: { groupId: string; topics: string[]; intervalMs: number; metrics: ReadModelMetrics; logger: Logger }) {
    this.#admin = kafka.admin();
    this.#groupId = options.groupId;
    this.#topics = options.topics;
    this.#intervalMs = options.intervalMs;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
  }

  start(): void {
    const tick = () => {
      this.#polling = this.poll().finally(() => {
        this.#polling = undefined;
        if (this.#timer !== undefined) this.#timer = setTimeout(tick, this.#intervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, this.#intervalMs).unref();
  }

  async poll(): Promise<void> {
    try {
      await this.measure();
    } catch (error) {
      this.#logger.debug({ err: error }, 'consumer lag poll failed');
    } finally {
      // stop() may have run while this poll was connecting or querying (a kafkajs call
      // reconnects a disconnected client): never leave the admin client connected after it.
      if (this.#stopped) await this.#admin.disconnect().catch(() => undefined);
    }
  }

  /** Lag per `topic/partition` (also exported as the gauge); rejects when Kafka can't tell. */
  async measure(): Promise<Map<string, number>> {
    const lags = new Map<string, number>();
    if (!this.#connected) {
      await this.#admin.connect();
      this.#connected = true;
    }
    const committed = await this.#admin.fetchOffsets({ groupId: this.#groupId, topics: this.#topics });
    for (const { topic, partitions } of committed) {
      if (this.#stopped) throw new Error('consumer lag poller stopped');
      const ends = await this.#admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = done === '-1' ? Number(end.low) : Number(done);
        const lag = Math.max(0, Number(end.high) - from);
        lags.set(`${topic}/${end.partition}`, lag);
        this.#metrics.consumerLag.set({ topic, partition: String(end.partition) }, lag);
      }
    }
    return lags;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Let a poll in flight end first (bounded: with Kafka down its retries take long).
    if (this.#polling) await Promise.race([this.#polling, sleep(STOP_GRACE_MS, undefined, { ref: false })]);
    if (this.#connected) await this.#admin.disconnect().catch(() => undefined);
  }
}
