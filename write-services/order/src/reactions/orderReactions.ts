import { CommandRejected, type Reaction } from '@delivery/command-kit';
import type { OrderEvent } from '@delivery/contracts';
import type { Order } from '../domain/order.ts';
import type { OrderCommand } from '../domain/orderCommand.ts';
import type { OrderTx } from '../store/orderRepository.ts';

type OrderReaction = Reaction<Order, OrderCommand, OrderEvent, OrderTx>;

/**
 * CancelOrder settles its deliveries with the delivery service first and commits its own
 * cancellation after (docs/decisions/rules-across-aggregates.md). Should that commit fail,
 * the delivery's DeliveryCancelled (cause ORDER_CANCELLED) finishes it here: the order is
 * cancelled with the same reason. An order already cancelled (the usual case: the command
 * committed) is left as it is.
 */
export const finishOrderCancellation: OrderReaction = {
  name: 'finish-order-cancellation',
  canHandle: ['DeliveryCancelled'],
  async react(event, { tx, executor, contextFor }) {
    if (event.eventType !== 'DeliveryCancelled' || event.payload.cause !== 'ORDER_CANCELLED') return;
    try {
      await executor.executeIn(tx, { type: 'CancelOrder', reason: event.payload.reason }, contextFor(event.payload.orderId));
    } catch (error) {
      // Already cancelled, or gone: nothing to finish. (Refused before anything was written.)
      if (!(error instanceof CommandRejected)) throw error;
    }
  },
};

export const orderReactions: readonly OrderReaction[] = [finishOrderCancellation];
