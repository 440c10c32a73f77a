import type { DomainEvent, EventDraft } from '@delivery/contracts';
import { type AggregateState, type Command, type CommandContext, type Decider, INITIAL_STATE, type InitialState } from './decider.ts';
import { assertTransition, type TransitionTable } from './transitionTable.ts';

/**
 * A decider whose `decide` runs only for commands its transition table allows from the
 * current status (the table is checked first, so `decide` handles legal commands only).
 */
export function defineDecider<C extends Command, E extends DomainEvent, S extends AggregateState>(spec: {
  transitions: TransitionTable<C['type'], S['status']>;
  decide: (command: C, state: S | InitialState, context: CommandContext) => EventDraft<E>[];
  evolve: (state: S | InitialState, event: E) => S;
}): Decider<C, E, S> {
  return {
    initialState: () => INITIAL_STATE,
    decide: (command, state, context) => {
      assertTransition(spec.transitions, command.type, state);
      return spec.decide(command, state, context);
    },
    evolve: spec.evolve,
  };
}
