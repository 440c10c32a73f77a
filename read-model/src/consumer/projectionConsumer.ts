import type { EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { backoffDelay, RestartingConsumer, type Logger, type RetryPolicy } from '@delivery/runtime-kit';
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

/** See the consumer's config (decision offset-commits-on-a-timer.md): a fifth of the lag target, at most. */
const FETCH_MAX_WAIT_MS = 20;
const FETCH_MIN_BYTES = 16 * 1024;

/** How often processed offsets are committed (decision offset-commits-on-a-timer.md). */
const COMMIT_INTERVAL_MS = 1000;

const DEFAULT_BACKOFF: RetryPolicy = { retries: Number.POSITIVE_INFINITY, initialDelayMs: 250, maxDelayMs: 5000, factor: 2 };

/**
 * The kafkajs consumer group projecting the event topics. kafkajs traps (docs/decisions and
 * shared/design/provisioning.md) handled here:
 * - `eachBatch` never lets an error escape: a chunk that cannot be stored pauses every
 *   subscribed topic, leaves its offsets unresolved and returns; after a backoff the topics
 *   resume and kafkajs fetches again from the last resolved offset. Nothing is skipped.
 * - Offsets are resolved per stored chunk and committed every COMMIT_INTERVAL_MS and on stop
 *   (at-least-once; a crash projects again at most that much, idempotently).
 * - A crashed consumer (or a failed start) is rebuilt after a backoff by runtime-kit's
 *   RestartingConsumer, each restart counted in `consumerRestarts`; it counts as joined at
 *   GROUP_JOIN.
 */
export class ProjectionConsumer {
  readonly #options: ProjectionConsumerOptions;
  readonly #backoff: RetryPolicy;
  readonly #consumer: RestartingConsumer;
  #paused = false;
  #failures = 0;
  #resumeTimer: NodeJS.Timeout | undefined;

  constructor(options: ProjectionConsumerOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    const { kafka, groupId, sessionTimeoutMs, producer, topics } = options;
    this.#consumer = new RestartingConsumer({
      kafka,
      config: {
        groupId,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 4)),
        allowAutoTopicCreation: false,
        // The broker answers a fetch once FETCH_MIN_BYTES are there or after FETCH_MAX_WAIT_MS:
        // under load a fetch, a bulk write and a Redis pipeline carry several events instead of
        // one each; an event waits at most FETCH_MAX_WAIT_MS for company.
        minBytes: FETCH_MIN_BYTES,
        maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      },
      run: async (consumer) => {
        await producer?.connect();
        await consumer.subscribe({ topics, fromBeginning: true });
        await consumer.run({
          eachBatchAutoResolve: false,
          // Committed every COMMIT_INTERVAL_MS by the RestartingConsumer, not after every batch.
          autoCommit: false,
          partitionsConsumedConcurrently: options.partitionsConcurrency,
          eachBatch: (payload) => this.#eachBatch(payload),
        });
      },
      joinedAfter: 'groupJoin',
      commitIntervalMs: COMMIT_INTERVAL_MS,
      backoff: this.#backoff,
      onRestart: () => options.metrics.consumerRestarts.inc(),
      logger: options.logger,
      name: 'projection consumer',
    });
  }

  /** Starts in the background; Kafka being down at start is retried like a crash. */
  start(): void {
    this.#consumer.start();
  }

  isJoined(): boolean {
    return this.#consumer.isJoined();
  }

  isPaused(): boolean {
    return this.#paused;
  }

  /** Resolves once the consumer has joined its group (tests, rebuild). */
  whenJoined(): Promise<void> {
    return this.#consumer.whenJoined();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#resumeTimer);
    await this.#consumer.stop();
    await this.#options.producer?.disconnect().catch(() => undefined);
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
      if (last) {
        payload.resolveOffset(last.offset);
        this.#consumer.processed(topic, partition, last.offset);
      }
      this.#failures = 0;
      this.#options.metrics.consumerLag.set({ topic, partition: String(partition) }, Math.max(0, Number(batch.highWatermark) - Number(last?.offset ?? 0) - 1));
      await payload.heartbeat();
    }
  }

  /** Every subscribed topic pauses (the store is shared) and resumes after a backoff. */
  #pause(error: unknown): void {
    if (this.#paused) return;
    const consumer = this.#consumer.current();
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
      if (this.#consumer.current() === consumer) consumer.resume(topics);
    }, delay);
  }
}

function toSource(topic: string, partition: number, message: KafkaMessage): SourceMessage {
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers };
}

