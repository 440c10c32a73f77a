import { type DomainEvent, topicOf } from '@delivery/contracts';
import { z } from 'zod';
import type { DatabaseClient, SqlExecutor } from '../db/sqlExecutor.ts';
import { isWriteConflict } from '../db/writeConflict.ts';
import { VersionConflict } from '../domain/commandRejected.ts';
import type { AggregateState, Command, CommandContext, InitialState } from '../domain/decider.ts';
import { stampEvents } from '../domain/stampEvents.ts';
import { appendToOutbox } from '../outbox/outboxTable.ts';
import type { OwnerClient } from '../owners/ownerClient.ts';
import type { WriteServiceDefinition } from './writeServiceDefinition.ts';

export class EventContractViolation extends Error {
  constructor(detail: string) {
    super(`produced event violates its contract: ${detail}`);
    this.name = 'EventContractViolation';
  }
}

/** Called inside the transaction once the new state is known (the Idempotency-Key answer). */
export type BeforeCommit<Tx> = (tx: Tx, next: AggregateState) => Promise<void>;

/**
 * Runs one command: load, decide, stamp, validate against the contract, evolve, then write
 * the aggregate (optimistic version check) and its events to the outbox in one transaction.
 */
export class CommandExecutor<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  private readonly db: DatabaseClient<Tx>;
  private readonly definition: WriteServiceDefinition<S, C, E, Tx>;
  private readonly owners: OwnerClient;
  private readonly afterCommit: () => void;

  constructor(db: DatabaseClient<Tx>, definition: WriteServiceDefinition<S, C, E, Tx>, owners: OwnerClient, afterCommit: () => void) {
    this.db = db;
    this.definition = definition;
    this.owners = owners;
    this.afterCommit = afterCommit;
  }

  /**
   * `fresh`: the aggregate id was generated for this command (a creating route's random
   * UUID), so there is nothing to load: the read is skipped (a collision would fail the
   * INSERT on the primary key, never overwrite).
   */
  async execute(command: C, context: CommandContext, beforeCommit?: BeforeCommit<Tx>, fresh = false): Promise<AggregateState> {
    const next = await this.db
      .$transaction(
        async (tx) => {
          const state = await this.executeIn(tx, command, context, fresh);
          await beforeCommit?.(tx, state);
          return state;
        },
        { maxWait: 3000, timeout: 10_000 },
      )
      .catch((error: unknown) => {
        // A deadlock or lock wait the database gave up on: the same story as a stale version.
        if (isWriteConflict(error)) throw new VersionConflict(context.aggregateId, -1);
        throw error;
      });
    this.afterCommit();
    return next;
  }

  /**
   * One command inside a transaction someone else owns (an internal command settling several
   * aggregates at once): load, decide, check the rules across aggregates, stamp, validate,
   * evolve, write the aggregate and its events to the outbox. The caller commits, then calls
   * `committed()` so that the relay publishes at once.
   */
  async executeIn(tx: Tx, command: C, context: CommandContext, fresh = false): Promise<S | InitialState> {
    const { decider, repository, eventSchema, aggregateType, rules } = this.definition;
    const current = (fresh ? undefined : await repository.load(tx, context.aggregateId)) ?? decider.initialState();
    const drafts = decider.decide(command, current, context);
    if (drafts.length > 0) await rules?.({ command, current, context, tx, owners: this.owners });
    const events = stampEvents(drafts, aggregateType, current.version, context);
    for (const event of events) {
      const checked = eventSchema.safeParse(event);
      if (!checked.success) throw new EventContractViolation(z.prettifyError(checked.error));
    }
    const state = events.reduce<S | InitialState>(decider.evolve, current);
    if (events.length > 0) {
      const written = state as S;
      if (current.version === 0) await repository.insert(tx, written);
      else if (!(await repository.update(tx, written, current.version))) {
        throw new VersionConflict(context.aggregateId, current.version);
      }
      await appendToOutbox(tx, events, topicOf, context.traceParent);
    }
    return state;
  }

  /** After a transaction that used `executeIn` committed. */
  committed(): void {
    this.afterCommit();
  }
}
