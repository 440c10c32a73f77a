import type { DomainEvent, EventDraft } from '@delivery/contracts';

/** Every aggregate state carries its status and the number of events applied so far. */
export interface AggregateState {
  readonly status: string;
  readonly version: number;
}

/** The state before an aggregate's first event: nothing exists yet. */
export interface InitialState {
  readonly status: 'NONE';
  readonly version: 0;
}

/** An aggregate that exists also carries when its first and its last event happened (ISO-8601). */
export interface ExistingAggregate extends AggregateState {
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const INITIAL_STATE: InitialState = Object.freeze({ status: 'NONE', version: 0 });

/** A command is a tagged union member named as an order (`AcceptOrder`). */
export interface Command {
  readonly type: string;
}

/** What `decide` knows besides the command and the state: time and the request, as data. */
export interface CommandContext {
  readonly aggregateId: string;
  readonly now: Date;
  readonly requestId: string;
  /** The W3C traceparent the command's events carry on (stored with their outbox rows); none: untraced. */
  readonly traceParent?: string | undefined;
}

/**
 * One aggregate's behaviour as three pure functions (Emmett's decider): `decide` turns a
 * command into event drafts or throws a `CommandRejected`; `evolve` folds one stamped event
 * into the state. No I/O, no clock: everything comes in as data.
 */
export interface Decider<C extends Command, E extends DomainEvent, S extends AggregateState> {
  initialState: () => InitialState;
  decide: (command: C, state: S | InitialState, context: CommandContext) => EventDraft<E>[];
  evolve: (state: S | InitialState, event: E) => S;
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

/** For `evolve`: every event but the first needs an existing aggregate. */
export function requireExisting<S extends AggregateState>(state: S | InitialState, eventType: string): S {
  if (state.status === 'NONE') throw new Error(`${eventType} applied to an aggregate that does not exist`);
  return state as S;
}
