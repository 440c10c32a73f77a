import type { TransitionTable } from '@delivery/command-kit';
import type { DispatchStatus } from '@delivery/contracts';
import type { DispatchCommand } from './dispatchCommand.ts';

/** The dispatch state machine (architecture.md's command table). */
export const DISPATCH_TRANSITIONS = {
  RequestDispatch: { from: ['NONE'], to: 'REQUESTED' },
  AcceptDispatch: { from: ['REQUESTED'], to: 'ACCEPTED' },
  CancelDispatch: { from: ['REQUESTED', 'ACCEPTED'], to: 'CANCELLED' },
} as const satisfies TransitionTable<DispatchCommand['type'], DispatchStatus>;
