import { backoffDelay, type Logger, type RetryPolicy } from '@delivery/runtime-kit';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import type { EventPublisher } from './kafkaPublisher.ts';
import type { OutboxMetrics } from './outboxMetrics.ts';
import { markSent, readUnsent } from './outboxTable.ts';
import { RelayLease } from './relayLease.ts';
import { Wakeup } from './wakeup.ts';

export interface RelaySettings {
  /** How often a relay looks for rows nobody nudged it about (and a standby for the lease). */
  pollIntervalMs: number;
  /**
   * How long a nudged relay waits before its cycle, so that commits close together go out in
   * one batch (one read, one produce, one mark instead of one each per command); 0: at once.
   */
  lingerMs: number;
  /** How long the lease lasts without renewal; a crashed holder is replaced after this. */
  leaseMs: number;
  batchSize: number;
  /** Backoff while Kafka or the database fails; retried for ever. */
  retry: RetryPolicy;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = Object.freeze({
  pollIntervalMs: 250,
  lingerMs: 10,
  leaseMs: 10_000,
  batchSize: 500,
  retry: Object.freeze({ retries: Number.MAX_SAFE_INTEGER, initialDelayMs: 200, maxDelayMs: 5000, factor: 2 }),
});

/** Fault injection (see service/faultSeams.ts); every switch is off unless a test or a drill turns it on. */
export interface RelayFaults {
  /**
   * Die after Kafka acknowledged a batch and before it is marked sent, keeping the lease like
   * a real crash: `stop-relay` stops only the relay (in-process tests), `kill-process` SIGKILLs
   * the whole process (fault drills).
   */
  crashAfterPublish?: 'stop-relay' | 'kill-process';
}

export class SimulatedCrash extends Error {
  constructor() {
    super('simulated relay crash between publish and mark-sent');
    this.name = 'SimulatedCrash';
  }
}

export type RelayState = 'idle' | 'leader' | 'standby' | 'backoff' | 'crashed' | 'stopped';

export interface RelayDeps {
  db: SqlExecutor;
  createPublisher: () => EventPublisher;
  logger: Logger;
  metrics: OutboxMetrics;
  instanceId: string;
  settings: RelaySettings;
  faults?: RelayFaults;
}

/**
 * Publishes outbox rows in `id` order: right after a commit (`nudge`) and by polling. Only
 * the holder of the relay lease publishes, so several instances never send a row twice in
 * normal operation and per-aggregate order holds. A failed cycle (Kafka down) is retried
 * with backoff for ever, with a fresh producer each time; rows stay unsent until Kafka
 * acknowledged them, so nothing is lost (a crash after the ack may publish a row twice).
 */
export class OutboxRelay {
  private readonly deps: RelayDeps;
  private readonly lease: RelayLease;
  private readonly wakeup: Wakeup;
  private publisher: EventPublisher | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private failures = 0;
  private current: RelayState = 'idle';

  constructor(deps: RelayDeps) {
    this.deps = deps;
    this.wakeup = new Wakeup(deps.settings.lingerMs);
    this.lease = new RelayLease(deps.db, deps.instanceId, deps.settings.leaseMs);
  }

  get state(): RelayState {
    return this.current;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A command committed: publish now rather than at the next poll (ignored while backing off). */
  nudge(): void {
    this.wakeup.nudge();
  }

  /** Finishes the cycle in flight, releases the lease and closes the producer. Rows left unsent stay in the table. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeup.interrupt();
    await this.loop;
    if (this.current !== 'crashed') {
      await this.lease.release().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'lease release failed'));
      this.current = 'stopped';
    }
    await this.closePublisher();
  }

  private async run(): Promise<void> {
    const { logger, metrics, settings } = this.deps;
    while (!this.stopping) {
      let delay = settings.pollIntervalMs;
      try {
        await this.cycle();
        if (this.failures > 0) logger.info({ failures: this.failures }, 'outbox relay recovered');
        this.failures = 0;
      } catch (error) {
        if (error instanceof SimulatedCrash) {
          logger.error('outbox relay crashed (fault injection)');
          this.current = 'crashed';
          metrics.leader.set(0);
          await this.closePublisher();
          return;
        }
        metrics.publishFailures.inc();
        delay = backoffDelay(settings.retry, this.failures);
        this.failures += 1;
        this.current = 'backoff';
        logger.warn({ err: error, failures: this.failures, retryInMs: delay }, 'outbox relay cycle failed');
        await this.closePublisher();
      }
      await this.wakeup.wait(delay, this.failures === 0);
    }
  }

  /** One pass: take or renew the lease, then publish batches until the table is drained. */
  private async cycle(): Promise<void> {
    const { db, metrics, settings, faults } = this.deps;
    for (;;) {
      const leader = await this.lease.acquire();
      metrics.leader.set(leader ? 1 : 0);
      this.current = leader ? 'leader' : 'standby';
      if (!leader) return;
      const rows = await readUnsent(db, settings.batchSize);
      if (rows.length === 0) return;
      this.publisher ??= this.deps.createPublisher();
      await this.publisher.publish(rows);
      if (faults?.crashAfterPublish === 'kill-process') process.kill(process.pid, 'SIGKILL');
      if (faults?.crashAfterPublish === 'stop-relay') throw new SimulatedCrash();
      await markSent(
        db,
        rows.map((row) => row.id),
      );
      metrics.published.inc(rows.length);
      if (rows.length < settings.batchSize || this.stopping) return;
    }
  }

  private async closePublisher(): Promise<void> {
    const publisher = this.publisher;
    this.publisher = undefined;
    await publisher?.close().catch(() => undefined);
  }
}
