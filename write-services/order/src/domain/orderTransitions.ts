import type { TransitionTable } from '@delivery/command-kit';
import type { OrderStatus } from '@delivery/contracts';
import type { OrderCommand } from './orderCommand.ts';

/** The order state machine (architecture.md's command table). */
export const ORDER_TRANSITIONS = {
  PlaceOrder: { from: ['NONE'], to: 'PLACED' },
  AcceptOrder: { from: ['PLACED'], to: 'ACCEPTED' },
  UpdateOrder: { from: ['PLACED'] },
  CancelOrder: { from: ['PLACED', 'ACCEPTED'], to: 'CANCELLED' },
} as const satisfies TransitionTable<OrderCommand['type'], OrderStatus>;
