import { ruleViolated, unknownReference } from '@delivery/command-kit';
import type { DispatchSnapshot } from '@delivery/contracts';
import type { CreateDelivery } from './deliveryCommand.ts';
import type { Delivery } from './delivery.ts';

/**
 * The rules across aggregates the delivery service enforces (architecture.md), pure: the
 * facts come in as data, gathered by rules/deliveryRuleCheck.ts and api/deliverySettlements.ts.
 */

export interface OrderFacts {
  orderCancelled: boolean;
}

/** CreateDelivery: the dispatch exists, is ACCEPTED, belongs to the order, by this rider; no delivery for it yet; the order is not cancelled. */
export function checkDeliveryCreation(
  command: CreateDelivery,
  dispatch: DispatchSnapshot | null,
  facts: OrderFacts & { dispatchCancelled: boolean; existingDeliveryId: string | undefined },
): void {
  if (dispatch === null) throw unknownReference(`No dispatch ${command.dispatchId}.`);
  if (dispatch.orderId !== command.orderId) {
    throw ruleViolated('DISPATCH_OF_ANOTHER_ORDER', `Dispatch ${command.dispatchId} belongs to order ${dispatch.orderId}, not ${command.orderId}.`);
  }
  if (facts.orderCancelled) throw ruleViolated('ORDER_CANCELLED', `Order ${command.orderId} is cancelled.`);
  if (dispatch.status !== 'ACCEPTED' || facts.dispatchCancelled) {
    const status = facts.dispatchCancelled ? 'CANCELLED' : dispatch.status;
    throw ruleViolated('DISPATCH_NOT_ACCEPTED', `Dispatch ${command.dispatchId} is ${status}; a delivery starts only from an ACCEPTED dispatch.`);
  }
  if (dispatch.riderId !== command.riderId) {
    throw ruleViolated('RIDER_NOT_DISPATCHED', `Rider ${command.riderId} is not the rider who accepted dispatch ${command.dispatchId}.`);
  }
  if (facts.existingDeliveryId !== undefined) {
    throw ruleViolated('DISPATCH_HAS_DELIVERY', `Dispatch ${command.dispatchId} already has delivery ${facts.existingDeliveryId}.`);
  }
}

/** PickUpDelivery: the order is not cancelled. */
export function checkPickUp(delivery: Delivery, facts: OrderFacts): void {
  if (facts.orderCancelled) throw ruleViolated('ORDER_CANCELLED', `Order ${delivery.orderId} is cancelled; its delivery cannot be picked up.`);
}

/** Whether a cancellation of the order or the dispatch may proceed: none of the deliveries is under way. */
export function deliveriesUnderWay(deliveries: readonly Pick<Delivery, 'deliveryId' | 'status'>[]): string[] {
  return deliveries.filter((d) => d.status === 'PICKED_UP' || d.status === 'DELIVERED').map((d) => d.deliveryId);
}
