import { ruleViolated } from '@delivery/command-kit';

/**
 * The rule across aggregates the order service enforces (architecture.md), pure: CancelOrder
 * only while no delivery of the order is PICKED_UP or DELIVERED. The delivery service
 * settles it (its aggregate serialises a cancellation against a pickup) and answers 409 when
 * a delivery is under way.
 */
export function checkOrderCancellation(orderId: string, deliveryAnswer: { status: number }): void {
  if (deliveryAnswer.status === 409) {
    throw ruleViolated('DELIVERY_UNDER_WAY', `Order ${orderId} has a delivery that is already picked up or delivered.`);
  }
}
