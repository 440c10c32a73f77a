import { describe, expect, it } from '@jest/globals';
import { CommandRejected } from '../src/domain/commandRejected.ts';
import { INITIAL_STATE, requireExisting } from '../src/domain/decider.ts';
import { assertTransition, type TransitionTable } from '../src/domain/transitionTable.ts';

const table = {
  Open: { from: ['NONE'], to: 'OPEN' },
  Close: { from: ['OPEN'], to: 'CLOSED' },
  Touch: { from: ['OPEN', 'CLOSED'] },
} as const satisfies TransitionTable<'Open' | 'Close' | 'Touch', 'OPEN' | 'CLOSED'>;

const rejection = (run: () => void): CommandRejected['reason'] | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof CommandRejected) return error.reason;
    throw error;
  }
};

describe('transition table', () => {
  it('allows a command from a listed status', () => {
    expect(rejection(() => assertTransition(table, 'Close', { status: 'OPEN', version: 1 }))).toBeUndefined();
    expect(rejection(() => assertTransition(table, 'Open', INITIAL_STATE))).toBeUndefined();
  });
  it('refuses a command from an unlisted status as an invalid transition', () => {
    expect(rejection(() => assertTransition(table, 'Close', { status: 'CLOSED', version: 2 }))).toBe('INVALID_TRANSITION');
    expect(rejection(() => assertTransition(table, 'Open', { status: 'OPEN', version: 1 }))).toBe('INVALID_TRANSITION');
  });
  it('refuses a command on an aggregate that does not exist as not found', () => {
    expect(rejection(() => assertTransition(table, 'Touch', INITIAL_STATE))).toBe('NOT_FOUND');
  });
  it('names the command, the status and the allowed ones in the message', () => {
    expect(() => assertTransition(table, 'Close', { status: 'CLOSED', version: 2 })).toThrow(
      'Close is not allowed in status CLOSED (allowed from OPEN)',
    );
  });
  it('requireExisting refuses the initial state', () => {
    expect(() => requireExisting(INITIAL_STATE, 'Closed')).toThrow(/does not exist/);
  });
});
