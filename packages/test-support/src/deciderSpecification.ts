import { randomUUID } from 'node:crypto';
import type { AggregateType, DomainEvent, EventDraft } from '@delivery/contracts';
import { expect } from '@jest/globals';
import { type AggregateState, type Command, type CommandContext, CommandRejected, type Decider, stampEvents } from '@delivery/command-kit';

/**
 * Given/when/then for a decider (Emmett's DeciderSpecification): `given` past events,
 * `when` a command, `then` the events it decides, `thenThrows` the refusal, or
 * `thenState` what the new events fold into.
 */
export function deciderSpecification<C extends Command, E extends DomainEvent, S extends AggregateState>(
  decider: Decider<C, E, S>,
  aggregateType: AggregateType,
) {
  const context: CommandContext = {
    aggregateId: randomUUID(),
    now: new Date('2026-11-27T10:00:00.000Z'),
    requestId: 'spec-request',
  };
  const fold = (events: readonly E[], from: S | ReturnType<typeof decider.initialState>) =>
    events.reduce<S | ReturnType<typeof decider.initialState>>(decider.evolve, from);

  return {
    given: (history: EventDraft<E>[]) => ({
      when: (command: C) => {
        const past = fold(stampEvents(history, aggregateType, 0, context), decider.initialState());
        const decide = () => decider.decide(command, past, context);
        return {
          then: (expected: EventDraft<E>[]) => {
            expect(decide()).toEqual(expected);
          },
          thenThrows: (reason: CommandRejected['reason']) => {
            let thrown: unknown;
            try {
              decide();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(CommandRejected);
            expect((thrown as CommandRejected).reason).toBe(reason);
          },
          thenState: (expected: Partial<S>) => {
            const next = fold(stampEvents(decide(), aggregateType, past.version, context), past);
            expect(next).toMatchObject(expected);
            return next;
          },
        };
      },
    }),
  };
}
