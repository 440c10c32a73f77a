import type { DomainEvent, EventType } from '@delivery/contracts';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command, CommandContext } from '../domain/decider.ts';
import type { CommandExecutor } from '../service/commandExecutor.ts';

/** What a reaction gets: the transaction its inbox row is written in, and this service's commands. */
export interface ReactionScope<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  tx: Tx;
  executor: CommandExecutor<S, C, E, Tx>;
  /** The context of a command the reaction runs on one of this service's aggregates (the event's correlation id carries on). */
  contextFor: (aggregateId: string) => CommandContext;
}

/**
 * A process manager step (architecture.md, "Reactions"): another service's event makes this
 * service run its own commands. It runs in one transaction with the inbox row of
 * (event id, reaction name), so a redelivered event does nothing twice.
 */
export interface Reaction<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  readonly name: string;
  readonly canHandle: readonly EventType[];
  react(event: DomainEvent, scope: ReactionScope<S, C, E, Tx>): Promise<void>;
}
