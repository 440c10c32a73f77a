import type { RuleCheck } from '@delivery/command-kit';
import type { Order } from '../domain/order.ts';
import type { OrderCommand } from '../domain/orderCommand.ts';
import { checkOrderCancellation } from '../domain/orderRules.ts';
import type { OrderTx } from '../store/orderRepository.ts';

/**
 * CancelOrder first cancels the order's deliveries through the delivery service, whose
 * aggregate settles the race with a pickup: once it answers, no delivery of the order is
 * created or picked up, and its READY deliveries are cancelled. Only then is the order
 * cancelled, in this transaction. If this transaction then fails, the command answers an
 * error and its retry finds the deliveries' side already settled (the call is idempotent).
 */
export async function orderRuleCheck({ command, context, owners }: RuleCheck<Order, OrderCommand, OrderTx>): Promise<void> {
  if (command.type !== 'CancelOrder') return;
  const answer = await owners.command(
    'delivery',
    '/internal/v1/order-cancellations',
    { orderId: context.aggregateId, reason: command.reason },
    context.requestId,
  );
  checkOrderCancellation(context.aggregateId, answer);
}
