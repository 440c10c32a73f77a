import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import type { Logger } from './logger.ts';
import { OffsetCommitter } from './offsetCommitter.ts';
import { backoffDelay, type RetryPolicy } from './retry.ts';

export interface RestartingConsumerOptions {
  kafka: Kafka;
  /** The group's settings; kafkajs' `retry.restartOnFailure` is always false (restarts are ours). */
  config: ConsumerConfig;
  /** On a connected consumer (a new one after every restart): subscribe, then `consumer.run(...)`. */
  run: (consumer: Consumer) => Promise<void>;
  /**
   * When the consumer counts as joined: at GROUP_JOIN (`groupJoin`), or at the first fetch
   * after it (`firstFetch`), when its starting offsets are resolved: an event published after
   * `whenJoined()` is then seen even by a new group that starts at the end of its topics.
   */
  joinedAfter: 'groupJoin' | 'firstFetch';
  /** Delay before each new consumer, after a crash or a failed start. */
  backoff?: RetryPolicy;
  /** Called for every restart scheduled (a metric). */
  onRestart?: () => void;
  logger: Logger;
  /** Names the consumer in its logs ("projection consumer crashed; restarting"). */
  name: string;
  /**
   * Commit processed offsets (`processed()`) every this many ms and before leaving the group,
   * instead of kafkajs' commit after every batch; `run` then passes `autoCommit: false`.
   */
  commitIntervalMs?: number;
}

/** kafkajs' own retries of a consumer's requests, before it crashes. */
const KAFKA_RETRY = { initialRetryTime: 300, maxRetryTime: 5000, retries: 5 };
/** How long `stop()` waits for the last offset commit. */
const STOP_COMMIT_GRACE_MS = 2000;
const DEFAULT_BACKOFF: RetryPolicy = { retries: Number.POSITIVE_INFINITY, initialDelayMs: 250, maxDelayMs: 5000, factor: 2 };

/**
 * A kafkajs consumer group member that is rebuilt whenever it fails. kafkajs never restarts a
 * crashed consumer by itself here (`restartOnFailure` → false): the CRASH listener disconnects
 * the failed consumer and builds a new one after a backoff, and a start that fails (Kafka down)
 * is retried the same way, until it runs or `stop()` is called. A crash during `stop()`
 * restarts nothing.
 */
export class RestartingConsumer {
  readonly #options: RestartingConsumerOptions;
  readonly #backoff: RetryPolicy;
  #consumer: Consumer | undefined;
  #stopping = false;
  #joined = false;
  #restarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #joinWaiters: (() => void)[] = [];
  readonly #commits: OffsetCommitter | undefined;

  constructor(options: RestartingConsumerOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    if (options.commitIntervalMs !== undefined) this.#commits = new OffsetCommitter(options.commitIntervalMs, options.logger);
  }

  /** `offset` of `topic`/`partition` and all before it are processed: committed with the next periodic commit. */
  processed(topic: string, partition: number, offset: string): void {
    this.#commits?.processed(topic, partition, offset);
  }

  /** Starts in the background; Kafka being down at start is retried like a crash. */
  start(): void {
    this.#stopping = false;
    void this.#run();
  }

  isJoined(): boolean {
    return this.#joined;
  }

  isStopping(): boolean {
    return this.#stopping;
  }

  /** The kafkajs consumer of the moment: a restart replaces it, `stop()` clears it. */
  current(): Consumer | undefined {
    return this.#consumer;
  }

  /** Resolves once the consumer has joined its group (see `joinedAfter`). */
  whenJoined(): Promise<void> {
    return this.#joined ? Promise.resolve() : new Promise((resolve) => this.#joinWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const consumer = this.#consumer;
    this.#commits?.close();
    // While the consumer still runs (kafkajs ignores commits after stop): what was processed is
    // not delivered again. Bounded: with Kafka away a commit would retry for many seconds, and
    // what it would have saved is only a redelivery.
    if (this.#commits) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#commits.flush(), new Promise((resolve) => (timer = setTimeout(resolve, STOP_COMMIT_GRACE_MS)))]);
      clearTimeout(timer);
    }
    this.#consumer = undefined;
    this.#joined = false;
    await consumer?.disconnect().catch(() => undefined);
  }

  async #run(): Promise<void> {
    const { kafka, config, logger, name } = this.#options;
    const consumer = kafka.consumer({ ...config, retry: { ...KAFKA_RETRY, ...config.retry, restartOnFailure: () => Promise.resolve(false) } });
    this.#consumer = consumer;
    this.#commits?.attach(consumer);
    this.#trackJoining(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#joined = false;
      if (payload.restart || this.#stopping || this.#consumer !== consumer) return;
      logger.error({ err: payload.error }, `${name} crashed; restarting`);
      this.#scheduleRestart(consumer);
    });
    try {
      await consumer.connect();
      await this.#options.run(consumer);
      this.#restarts = 0;
    } catch (error) {
      if (this.#stopping || this.#consumer !== consumer) return;
      logger.error({ err: error }, `${name} could not start; retrying`);
      this.#scheduleRestart(consumer);
    }
  }

  #trackJoining(consumer: Consumer): void {
    const joined = () => {
      this.#joined = true;
      for (const resolve of this.#joinWaiters.splice(0)) resolve();
    };
    if (this.#options.joinedAfter === 'groupJoin') {
      consumer.on(consumer.events.GROUP_JOIN, joined);
      return;
    }
    let joining = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joining = true;
    });
    consumer.on(consumer.events.FETCH, () => {
      if (!joining) return;
      joining = false;
      joined();
    });
  }

  #scheduleRestart(failed: Consumer): void {
    clearTimeout(this.#restartTimer);
    const delay = backoffDelay(this.#backoff, this.#restarts++);
    this.#options.onRestart?.();
    this.#restartTimer = setTimeout(() => {
      void failed
        .disconnect()
        .catch(() => undefined)
        .then(() => {
          if (!this.#stopping) return this.#run();
        });
    }, delay);
  }
}
