import type { CommandExecutor } from '@delivery/command-kit';
import type { DeliveryEvent } from '@delivery/contracts';
import type { Delivery } from '../domain/delivery.ts';
import type { DeliveryCommand } from '../domain/deliveryCommand.ts';
import { deliveriesUnderWay } from '../domain/deliveryRules.ts';
import type { DeliveryTx } from '../store/deliveryRepository.ts';
import { deliveryFacts } from './deliveryFacts.ts';

export interface Cancellation {
  /** The cancelled order, or the order of the cancelled dispatch: its row serialises the settlement. */
  orderId: string;
  dispatchId?: string;
  reason: string;
  now: Date;
  requestId: string;
}

export type Settlement = { outcome: 'settled'; cancelled: string[] } | { outcome: 'under-way'; deliveries: string[] };

/**
 * How the delivery aggregate settles a cancellation of its order or dispatch, inside the
 * caller's transaction and under the order's row lock: refused when a delivery is already
 * PICKED_UP or DELIVERED; otherwise the cancellation is recorded (no delivery is created or
 * picked up for it afterwards) and the READY deliveries are cancelled. Idempotent.
 */
export async function settleCancellation(
  tx: DeliveryTx,
  executor: CommandExecutor<Delivery, DeliveryCommand, DeliveryEvent, DeliveryTx>,
  cancellation: Cancellation,
): Promise<Settlement> {
  const { orderId, dispatchId, reason, now, requestId } = cancellation;
  await deliveryFacts.lockOrder(tx, orderId);
  const deliveries = await deliveryFacts.deliveriesOf(tx, dispatchId === undefined ? { orderId } : { dispatchId });
  const underWay = deliveriesUnderWay(deliveries);
  if (underWay.length > 0) return { outcome: 'under-way', deliveries: underWay };
  if (dispatchId === undefined) await deliveryFacts.recordOrderCancelled(tx, orderId, now);
  else await deliveryFacts.recordDispatchCancelled(tx, dispatchId, orderId, now);
  const ready = deliveries.filter((d) => d.status === 'READY').map((d) => d.deliveryId);
  const cause = dispatchId === undefined ? 'ORDER_CANCELLED' : 'DISPATCH_CANCELLED';
  for (const deliveryId of ready) await executor.executeIn(tx, { type: 'CancelDelivery', reason, cause }, { aggregateId: deliveryId, now, requestId });
  return { outcome: 'settled', cancelled: ready };
}
