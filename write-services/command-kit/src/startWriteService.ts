import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DomainEvent } from '@delivery/contracts';
import { createLogger, createRegistry, DEFAULT_BREAKER, listen, type Logger, type Registry, retry } from '@delivery/runtime-kit';
import type { SqlExecutor } from './db/sqlExecutor.ts';
import type { AggregateState, Command } from './domain/decider.ts';
import { commandCounter } from './http/commandMetrics.ts';
import { writeServiceApp } from './http/writeServiceApp.ts';
import { IdempotencyStore } from './idempotency/idempotencyStore.ts';
import { applyMigrations, MigrationRefused } from './migrations/migrationRunner.ts';
import { createKafkaPublisher } from './outbox/kafkaPublisher.ts';
import { outboxMetrics } from './outbox/outboxMetrics.ts';
import { OutboxRelay } from './outbox/outboxRelay.ts';
import { OwnerClient } from './owners/ownerClient.ts';
import { ReactionConsumer } from './reactions/reactionConsumer.ts';
import { CommandExecutor } from './service/commandExecutor.ts';
import { CommandHandler } from './service/commandHandler.ts';
import { startHousekeeping } from './service/housekeeping.ts';
import type { FaultSeams } from './service/faultSeams.ts';
import type { WriteServiceConfig } from './service/writeServiceConfig.ts';
import type { WriteServiceDefinition } from './service/writeServiceDefinition.ts';

export interface RunningWriteService {
  /** The reactions' consumer, when the service has reactions. */
  reactions: { whenJoined(): Promise<void> } | undefined;
  port: number;
  url: string;
  relay: OutboxRelay;
  logger: Logger;
  registry: Registry;
  /** Graceful stop: readiness 503, finish in-flight requests, last relay cycle, close clients. */
  close(): Promise<void>;
}

/**
 * Starts one write service: migrations first (refusing a changed one), then the database
 * client, the relay and HTTP. Kafka may be down: commands still succeed and the relay
 * catches up when it returns.
 */
export async function startWriteService<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  definition: WriteServiceDefinition<S, C, E, Tx>,
  config: Readonly<WriteServiceConfig>,
  seams: FaultSeams = {},
): Promise<RunningWriteService> {
  const name = `${definition.service}-service`;
  const logger = createLogger(name, config.logLevel);
  const registry = createRegistry(name);

  const migrated = await retry(
    () => applyMigrations({ databaseUrl: config.databaseUrl, migrationsDir: definition.migrationsDir, logger }),
    { retries: 8, initialDelayMs: 250, maxDelayMs: 3000, factor: 2 },
    (error) => !(error instanceof MigrationRefused),
  );
  logger.info({ applied: migrated.applied }, 'schema up to date');

  const db = definition.connect(config.databaseUrl);
  const relay = new OutboxRelay({
    db,
    createPublisher: () => createKafkaPublisher({ brokers: config.kafkaBrokers, clientId: name, logger }),
    logger: logger.child({ component: 'outbox-relay' }),
    metrics: outboxMetrics(registry, db),
    instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    settings: config.outbox,
    ...(seams.relay ? { faults: seams.relay } : {}),
  });
  const owners = new OwnerClient({
    urls: config.owners,
    breaker: { ...DEFAULT_BREAKER, timeoutMs: config.ownerTimeoutMs, resetTimeoutMs: 2000 },
    registry,
    logger,
  });
  const executor = new CommandExecutor(db, definition, owners, () => relay.nudge());
  const idempotency = new IdempotencyStore(db);
  const { app, markDraining } = writeServiceApp({
    definition,
    db,
    executor,
    handler: new CommandHandler({ executor, idempotency, logger }),
    commands: commandCounter(registry),
    registry,
    logger,
    bodyLimit: config.bodyLimit,
    clock: () => new Date(),
  });
  const http = await listen(app, config.port, config.host);
  relay.start();
  const reactions = definition.reactions?.length
    ? new ReactionConsumer(definition.reactions, { brokers: config.kafkaBrokers, ...config.reactions }, {
        db,
        executor,
        logger: logger.child({ component: 'reactions' }),
        clock: () => new Date(),
      })
    : undefined;
  reactions?.start();
  const housekeeping = startHousekeeping(db, idempotency, logger);
  if (seams.relay) logger.warn({ seams }, 'fault seams enabled: this process will crash on purpose');
  logger.info({ host: http.host, port: http.port }, `${name} listening`);

  let closing: Promise<void> | undefined;
  const close = async () => {
    markDraining();
    await http.close(config.shutdownGraceMs / 2);
    housekeeping.stop();
    idempotency.close();
    await reactions?.stop();
    owners.shutdown();
    await relay.stop();
    await db.$disconnect();
    logger.info(`${name} stopped`);
  };
  return {
    reactions,
    port: http.port,
    url: `http://127.0.0.1:${http.port}`,
    relay,
    logger,
    registry,
    close: () => (closing ??= close()),
  };
}
