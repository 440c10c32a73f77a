import type { Reaction } from '@delivery/command-kit';
import type { DeliveryEvent } from '@delivery/contracts';
import type { Delivery } from '../domain/delivery.ts';
import type { DeliveryCommand } from '../domain/deliveryCommand.ts';
import { settleCancellation } from '../rules/settleCancellation.ts';
import type { DeliveryTx } from '../store/deliveryRepository.ts';

type DeliveryReaction = Reaction<Delivery, DeliveryCommand, DeliveryEvent, DeliveryTx>;

/**
 * The delivery service's reactions (architecture.md): a cancelled order or dispatch cancels
 * its READY deliveries. The cancelling service settled this synchronously before it
 * cancelled (api/deliverySettlements.ts), so a reaction usually finds nothing left to do; it
 * finishes what a failure between the two left undone and covers a delivery created in
 * between. A delivery already under way is left alone: the rules refused that cancellation.
 */
export const cancelDeliveriesOfCancelledOrder: DeliveryReaction = {
  name: 'cancel-deliveries-of-cancelled-order',
  canHandle: ['OrderCancelled'],
  async react(event, { tx, executor, contextFor }) {
    if (event.eventType !== 'OrderCancelled') return;
    const { now, requestId } = contextFor(event.aggregateId);
    await settleCancellation(tx, executor, { orderId: event.aggregateId, reason: event.payload.reason, now, requestId });
  },
};

export const cancelDeliveryOfCancelledDispatch: DeliveryReaction = {
  name: 'cancel-delivery-of-cancelled-dispatch',
  canHandle: ['DispatchCancelled'],
  async react(event, { tx, executor, contextFor }) {
    if (event.eventType !== 'DispatchCancelled') return;
    const { now, requestId } = contextFor(event.aggregateId);
    const reason = event.payload.reason === null || event.payload.reason === '' ? 'dispatch cancelled' : event.payload.reason;
    await settleCancellation(tx, executor, { orderId: event.payload.orderId, dispatchId: event.aggregateId, reason, now, requestId });
  },
};

export const deliveryReactions: readonly DeliveryReaction[] = [cancelDeliveriesOfCancelledOrder, cancelDeliveryOfCancelledDispatch];
