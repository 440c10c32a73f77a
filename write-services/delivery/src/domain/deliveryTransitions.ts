import type { TransitionTable } from '@delivery/command-kit';
import type { DeliveryStatus } from '@delivery/contracts';
import type { DeliveryCommand } from './deliveryCommand.ts';

/** The delivery state machine (architecture.md's command table). */
export const DELIVERY_TRANSITIONS = {
  CreateDelivery: { from: ['NONE'], to: 'READY' },
  PickUpDelivery: { from: ['READY'], to: 'PICKED_UP' },
  UpdateDeliveryLocation: { from: ['READY', 'PICKED_UP'] },
  CompleteDelivery: { from: ['PICKED_UP'], to: 'DELIVERED' },
  CancelDelivery: { from: ['READY'], to: 'CANCELLED' },
} as const satisfies TransitionTable<DeliveryCommand['type'], DeliveryStatus>;
