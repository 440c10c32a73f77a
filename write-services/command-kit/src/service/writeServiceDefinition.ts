import type { AggregateType, DomainEvent } from '@delivery/contracts';
import type { Router } from 'express';
import type { z } from 'zod';
import type { AggregateRepository } from '../db/aggregateRepository.ts';
import type { DatabaseClient, SqlExecutor } from '../db/sqlExecutor.ts';
import type { CommandExecutor } from './commandExecutor.ts';
import type { AggregateState, Command, CommandContext, Decider, InitialState } from '../domain/decider.ts';
import type { CommandRoute } from './commandRoute.ts';
import type { OwnerClient, WriteServiceName } from '../owners/ownerClient.ts';
import type { Reaction } from '../reactions/reaction.ts';


/** What a rule across aggregates sees: the command its aggregate's decider accepted, the transaction, the owners. */
export interface RuleCheck<S extends AggregateState, C extends Command, Tx> {
  command: C;
  current: S | InitialState;
  context: CommandContext;
  /** The command's transaction: lock the local fact the rule relies on here. */
  tx: Tx;
  owners: OwnerClient;
}

/**
 * Everything that makes one write service different from the others: its domain, its
 * command table and how its aggregate is stored. command-kit supplies the rest (HTTP,
 * validation, idempotency, outbox, relay, migrations, metrics, health, shutdown).
 */
export interface WriteServiceDefinition<
  S extends AggregateState,
  C extends Command,
  E extends DomainEvent,
  Tx extends SqlExecutor,
> {
  service: WriteServiceName;
  aggregateType: AggregateType;
  /** Path parameter and answer field naming the aggregate, e.g. `orderId`. */
  idField: string;
  /** e.g. `/api/v1/orders`; commands hang below it, the query is `<collection>/{id}`. */
  collectionPath: string;
  decider: Decider<C, E, S>;
  /** The contract of this aggregate's events; every event is validated before the outbox. */
  eventSchema: z.ZodType<E>;
  commands: readonly CommandRoute<C>[];
  /** The query API's answer (packages/contracts/src/queryApi.ts). */
  snapshot: { schema: z.ZodType; of: (state: S) => unknown };
  repository: AggregateRepository<S, Tx>;
  /** The service's database client: command-kit's `connectDriverDatabase` (the plain mariadb driver). */
  connect: (databaseUrl: string) => DatabaseClient<Tx> & Tx;
  /** prisma/<service>/migrations */
  migrationsDir: string;
  /**
   * The rules across aggregates this service checks (architecture.md), run in the command's
   * transaction after its own decider accepted it; they throw `ruleViolated` (409),
   * `unknownReference` (422) or, when an owner cannot answer, DEPENDENCY_UNAVAILABLE (503).
   */
  rules?: (check: RuleCheck<S, C, Tx>) => Promise<void>;
  /** Process managers: other services' events that make this service run its own commands. */
  reactions?: readonly Reaction<S, C, E, Tx>[];
  /** Commands other services send to settle a race this aggregate owns, mounted under `/internal/v1`. */
  internalRoutes?: (deps: InternalRouteDeps<S, C, E, Tx>) => Router;
}

export interface InternalRouteDeps<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  db: DatabaseClient<Tx> & Tx;
  executor: CommandExecutor<S, C, E, Tx>;
  clock: () => Date;
}

export type { AggregateRepository } from '../db/aggregateRepository.ts';
export type { WriteServiceName } from '../owners/ownerClient.ts';
