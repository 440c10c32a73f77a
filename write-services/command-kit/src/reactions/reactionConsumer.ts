import { setTimeout as sleep } from 'node:timers/promises';
import { DomainEvent, EVENT_HEADERS, EVENT_TOPICS, parseDomainEvent } from '@delivery/contracts';
import { backoffDelay, RestartingConsumer, validTraceparent, type Logger, type RetryPolicy } from '@delivery/runtime-kit';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import type { DatabaseClient, SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command } from '../domain/decider.ts';
import { kafkaLogCreator } from '../outbox/kafkaPublisher.ts';
import type { CommandExecutor } from '../service/commandExecutor.ts';
import type { Reaction } from './reaction.ts';

const TOPIC_OF_EVENT = new Map<string, string>(
  DomainEvent.options.map((o) => [o.shape.eventType.value, EVENT_TOPICS[o.shape.aggregateType.value]]),
);

/** See the consumer's config: reactions tolerate this much delay, fetches are what they save. */
const FETCH_MAX_WAIT_MS = 200;
const FETCH_MIN_BYTES = 64 * 1024;

/** How often processed offsets are committed (decision offset-commits-on-a-timer.md); a redelivery is skipped by reaction_inbox. */
const COMMIT_INTERVAL_MS = 1000;

const BACKOFF: RetryPolicy = { retries: Number.POSITIVE_INFINITY, initialDelayMs: 250, maxDelayMs: 5000, factor: 2 };

export interface ReactionConsumerSettings {
  brokers: readonly string[];
  groupId: string;
  /** A new group starts at the beginning of the topics (production) or at their end (a test's own group). */
  fromBeginning: boolean;
}

/**
 * Runs a service's reactions on the events of the topics they listen to (consumer group per
 * service). At least once: an offset is committed (every second) only after its event's
 * reactions committed; a reaction that fails (the database, or a service it asks, is down) is retried
 * in place with backoff, holding its partition, so per-aggregate order is kept and nothing
 * is skipped. Exactly once in effect: each reaction writes the inbox row (event id,
 * reaction) in its own transaction. When Kafka fails the consumer is rebuilt with backoff
 * (runtime-kit's RestartingConsumer); it counts as joined after its first fetch.
 */
export class ReactionConsumer<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  readonly #reactions: readonly Reaction<S, C, E, Tx>[];
  readonly #deps: { db: DatabaseClient<Tx>; executor: CommandExecutor<S, C, E, Tx>; logger: Logger; clock: () => Date };
  readonly #consumer: RestartingConsumer;
  readonly #handledTypes: ReadonlySet<string>;

  constructor(
    reactions: readonly Reaction<S, C, E, Tx>[],
    settings: ReactionConsumerSettings,
    deps: { db: DatabaseClient<Tx>; executor: CommandExecutor<S, C, E, Tx>; logger: Logger; clock: () => Date },
  ) {
    this.#reactions = reactions;
    this.#handledTypes = new Set(reactions.flatMap((r) => r.canHandle));
    this.#deps = deps;
    const topics = [...new Set(reactions.flatMap((r) => r.canHandle.map((type) => TOPIC_OF_EVENT.get(type) ?? type)))];
    this.#consumer = new RestartingConsumer({
      kafka: new Kafka({
        clientId: settings.groupId,
        brokers: [...settings.brokers],
        connectionTimeout: 3000,
        retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
        logLevel: logLevel.WARN,
        logCreator: kafkaLogCreator(deps.logger),
      }),
      config: {
        groupId: settings.groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 1000,
        allowAutoTopicCreation: false,
        // The broker answers a fetch once it has FETCH_MIN_BYTES or after FETCH_MAX_WAIT_MS: under
        // load a few fetches a second carry many events instead of one fetch per event (most of
        // them no reaction's business), and a reaction starts at most FETCH_MAX_WAIT_MS late.
        minBytes: FETCH_MIN_BYTES,
        maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      },
      run: async (consumer) => {
        await consumer.subscribe({ topics, fromBeginning: settings.fromBeginning });
        await consumer.run({
          // Committed every COMMIT_INTERVAL_MS by the RestartingConsumer, not after every message.
          autoCommit: false,
          eachMessage: async (payload) => {
            await this.#handle(payload.message, () => payload.heartbeat());
            this.#consumer.processed(payload.topic, payload.partition, payload.message.offset);
          },
        });
      },
      joinedAfter: 'firstFetch',
      commitIntervalMs: COMMIT_INTERVAL_MS,
      backoff: BACKOFF,
      logger: deps.logger,
      name: 'reaction consumer',
    });
  }

  start(): void {
    this.#consumer.start();
  }

  /**
   * Resolves once the consumer has joined its group and completed a fetch, so its starting
   * offsets are resolved: an event published after this is seen even by a new group that
   * starts at the end of the topics.
   */
  whenJoined(): Promise<void> {
    return this.#consumer.whenJoined();
  }

  async stop(): Promise<void> {
    await this.#consumer.stop();
  }

  /** One event: every reaction to it, each retried until it commits (or the consumer stops). */
  async #handle(message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    let event: DomainEvent;
    try {
      const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
      // Most events on a topic are no reaction's business (every OrderPlaced, for the dispatch
      // service): their type is enough to pass them by, without validating the whole envelope.
      const type = typeof value === 'object' && value !== null ? (value as { eventType?: unknown }).eventType : undefined;
      if (typeof type === 'string' && !this.#handledTypes.has(type)) return;
      event = parseDomainEvent(value);
    } catch (error) {
      // Off-contract messages are the read model's to park; a reaction has nothing to do with them.
      this.#deps.logger.warn({ err: error, offset: message.offset }, 'reaction consumer skipped an off-contract message');
      return;
    }
    // The trace goes on: the events of the reaction's commands carry the triggering message's traceparent.
    const traceParent = validTraceparent(message.headers?.[EVENT_HEADERS.traceParent]);
    for (const reaction of this.#reactions) {
      if (!reaction.canHandle.includes(event.eventType)) continue;
      for (let attempt = 0; ; attempt++) {
        if (this.#consumer.isStopping()) throw new Error('reaction consumer stopping');
        try {
          await this.#react(reaction, event, traceParent);
          break;
        } catch (error) {
          const delay = backoffDelay(BACKOFF, attempt);
          this.#deps.logger.warn({ err: error, reaction: reaction.name, eventId: event.eventId, retryInMs: delay }, 'reaction failed; retrying');
          await sleep(delay);
          await heartbeat().catch(() => undefined);
        }
      }
    }
  }

  async #react(reaction: Reaction<S, C, E, Tx>, event: DomainEvent, traceParent: string | undefined): Promise<void> {
    const { db, executor, clock } = this.#deps;
    const reacted = await db.$transaction(
      async (tx) => {
        const claimed = await tx.$executeRawUnsafe(
          'INSERT IGNORE INTO reaction_inbox (event_id, reaction, processed_at) VALUES (?, ?, UTC_TIMESTAMP(3))',
          event.eventId,
          reaction.name,
        );
        if (claimed === 0) return false;
        const now = clock();
        await reaction.react(event, { tx, executor, contextFor: (aggregateId) => ({ aggregateId, now, requestId: event.correlationId, traceParent }) });
        return true;
      },
      { maxWait: 3000, timeout: 15_000 },
    );
    if (reacted) {
      executor.committed();
      this.#deps.logger.info({ reaction: reaction.name, eventId: event.eventId, eventType: event.eventType }, 'reacted');
    }
  }
}
