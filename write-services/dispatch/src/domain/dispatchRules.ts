import { ruleViolated, unknownReference } from '@delivery/command-kit';
import type { OrderSnapshot } from '@delivery/contracts';

/**
 * The rules across aggregates the dispatch service enforces (architecture.md), pure: the
 * facts come in as data, gathered by rules/dispatchRuleCheck.ts.
 */

/** RequestDispatch: the order exists and is ACCEPTED, and it has no open dispatch. */
export function checkDispatchRequest(orderId: string, order: OrderSnapshot | null, facts: { orderCancelled: boolean; openDispatchId: string | undefined }): void {
  if (order === null) throw unknownReference(`No order ${orderId}.`);
  if (order.status !== 'ACCEPTED' || facts.orderCancelled) {
    throw ruleViolated('ORDER_NOT_ACCEPTED', `Order ${orderId} is ${facts.orderCancelled ? 'CANCELLED' : order.status}; a rider can be requested only for an ACCEPTED order.`);
  }
  if (facts.openDispatchId !== undefined) {
    throw ruleViolated('ORDER_HAS_OPEN_DISPATCH', `Order ${orderId} already has an open dispatch ${facts.openDispatchId}; cancel it first.`);
  }
}

/** CancelDispatch: its delivery (if any) is not PICKED_UP or DELIVERED (the delivery service settles it). */
export function checkDispatchCancellation(dispatchId: string, deliveryAnswer: { status: number }): void {
  if (deliveryAnswer.status === 409) {
    throw ruleViolated('DELIVERY_UNDER_WAY', `Dispatch ${dispatchId} has a delivery that is already picked up or delivered.`);
  }
}
