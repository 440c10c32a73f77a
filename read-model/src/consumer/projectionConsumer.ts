import { type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { backoffDelay, type Logger, type RetryPolicy } from '@delivery/runtime-kit';
import type { ReadModelMetrics } from '../readModelMetrics.ts';
import type { SourceMessage } from './deadLetters.ts';

export interface ChunkProjector {
  project(messages: readonly SourceMessage[]): Promise<void>;
}

export interface ProjectionConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  sessionTimeoutMs: number;
  partitionsConcurrency: number;
  chunkSize: number;
  projector: ChunkProjector;
  /** Connected and disconnected together with the consumer (the dead-letter producer). */
  producer?: Producer;
  metrics: ReadModelMetrics;
  logger: Logger;
  /** Backoff of pauses (store or Kafka failures) and of restarts after a crash. */
  backoff?: RetryPolicy;
}

const DEFAULT_BACKOFF: RetryPolicy = { retries: Number.POSITIVE_INFINITY, initialDelayMs: 250, maxDelayMs: 5000, factor: 2 };

/**
 * The kafkajs consumer group, supervised. kafkajs traps (docs/decisions and
 * shared/design/provisioning.md) handled here:
 * - `eachBatch` never lets an error escape: a chunk that cannot be stored pauses every
 *   subscribed topic, leaves its offsets unresolved and returns; after a backoff the topics
 *   resume and kafkajs fetches again from the last resolved offset. Nothing is skipped.
 * - Offsets are resolved per stored chunk and committed after the batch (at-least-once).
 * - kafkajs never restarts a crashed consumer by itself here (`restartOnFailure` → false):
 *   the CRASH listener builds a new consumer after a backoff, until it runs again.
 * - On stop, a crash during disconnect can't restart anything.
 */
export class ProjectionConsumer {
  readonly #options: ProjectionConsumerOptions;
  readonly #backoff: RetryPolicy;
  #consumer: Consumer | undefined;
  #stopping = false;
  #joined = false;
  #paused = false;
  #failures = 0;
  #restarts = 0;
  #resumeTimer: NodeJS.Timeout | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #joinWaiters: (() => void)[] = [];

  constructor(options: ProjectionConsumerOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** Starts in the background; Kafka being down at start is retried like a crash. */
  start(): void {
    this.#stopping = false;
    void this.#run();
  }

  isJoined(): boolean {
    return this.#joined;
  }

  isPaused(): boolean {
    return this.#paused;
  }

  /** Resolves once the consumer has joined its group (tests, rebuild). */
  whenJoined(): Promise<void> {
    return this.#joined ? Promise.resolve() : new Promise((resolve) => this.#joinWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#resumeTimer);
    clearTimeout(this.#restartTimer);
    const consumer = this.#consumer;
    this.#consumer = undefined;
    this.#joined = false;
    await consumer?.disconnect().catch(() => undefined);
    await this.#options.producer?.disconnect().catch(() => undefined);
  }

  async #run(): Promise<void> {
    const { kafka, groupId, logger } = this.#options;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.#options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.#options.sessionTimeoutMs / 4)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5, restartOnFailure: () => Promise.resolve(false) },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.#joined = true;
      for (const resolve of this.#joinWaiters.splice(0)) resolve();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#joined = false;
      if (payload.restart || this.#stopping || this.#consumer !== consumer) return;
      logger.error({ err: payload.error }, 'kafka consumer crashed; restarting');
      this.#scheduleRestart(consumer);
    });
    try {
      await this.#options.producer?.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: this.#options.topics, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        partitionsConsumedConcurrently: this.#options.partitionsConcurrency,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
      this.#restarts = 0;
    } catch (error) {
      if (this.#stopping || this.#consumer !== consumer) return;
      logger.error({ err: error }, 'kafka consumer could not start; retrying');
      this.#scheduleRestart(consumer);
    }
  }

  #scheduleRestart(failed: Consumer): void {
    clearTimeout(this.#restartTimer);
    const delay = backoffDelay(this.#backoff, this.#restarts++);
    this.#options.metrics.consumerRestarts.inc();
    this.#restartTimer = setTimeout(() => {
      void failed
        .disconnect()
        .catch(() => undefined)
        .then(() => {
          if (!this.#stopping) return this.#run();
        });
    }, delay);
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    for (let start = 0; start < batch.messages.length; start += this.#options.chunkSize) {
      // A batch fetched before a pause waits for the resume (it is fetched again then).
      if (!payload.isRunning() || payload.isStale() || this.isPaused()) return;
      const chunk = batch.messages.slice(start, start + this.#options.chunkSize);
      try {
        await this.#options.projector.project(chunk.map((m: KafkaMessage) => toSource(topic, partition, m)));
      } catch (error) {
        this.#pause(error);
        return;
      }
      const last = chunk.at(-1);
      if (last) payload.resolveOffset(last.offset);
      this.#failures = 0;
      this.#options.metrics.consumerLag.set({ topic, partition: String(partition) }, Math.max(0, Number(batch.highWatermark) - Number(last?.offset ?? 0) - 1));
      await payload.heartbeat();
    }
    try {
      await payload.commitOffsetsIfNecessary();
    } catch (error) {
      // The resolved offsets stay resolved and are committed with a later batch.
      this.#options.logger.warn({ err: error }, 'offset commit failed; will commit later');
    }
  }

  /** Every subscribed topic pauses (the store is shared) and resumes after a backoff. */
  #pause(error: unknown): void {
    if (this.#paused) return;
    const consumer = this.#consumer;
    if (!consumer) return;
    const delay = backoffDelay(this.#backoff, this.#failures++);
    this.#paused = true;
    this.#options.metrics.consumerPaused.set(1);
    this.#options.metrics.consumerRetries.inc();
    this.#options.logger.warn({ err: error, retryInMs: delay }, 'projection failed (store or Kafka unavailable); consumer paused');
    const topics = this.#options.topics.map((topic) => ({ topic }));
    consumer.pause(topics);
    this.#resumeTimer = setTimeout(() => {
      this.#paused = false;
      this.#options.metrics.consumerPaused.set(0);
      if (this.#consumer === consumer) consumer.resume(topics);
    }, delay);
  }
}

function toSource(topic: string, partition: number, message: KafkaMessage): SourceMessage {
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers };
}

