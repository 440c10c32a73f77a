import { CommandRejected } from './commandRejected.ts';
import type { AggregateState, InitialState } from './decider.ts';

/**
 * The state machine as data: for each command the statuses it may start from and the
 * status it leads to, absent when the status stays as it is (KafkaJS'
 * VALID_STATE_TRANSITIONS habit). `NONE` is "does not exist".
 */
export type TransitionTable<CommandType extends string, Status extends string> = Readonly<
  Record<CommandType, { readonly from: readonly (Status | InitialState['status'])[]; readonly to?: Status }>
>;

/**
 * Throws unless the table allows `commandType` from the state's status: NOT_FOUND when the
 * aggregate does not exist (and the command does not create it), INVALID_TRANSITION otherwise.
 */
export function assertTransition<CommandType extends string, Status extends string>(
  table: TransitionTable<CommandType, Status>,
  commandType: CommandType,
  state: AggregateState,
): void {
  const { from } = table[commandType];
  if ((from as readonly string[]).includes(state.status)) return;
  if (state.status === 'NONE') throw new CommandRejected('NOT_FOUND', `${commandType}: no such aggregate`);
  throw new CommandRejected(
    'INVALID_TRANSITION',
    `${commandType} is not allowed in status ${state.status} (allowed from ${from.join(', ')})`,
  );
}
