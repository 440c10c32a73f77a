import { lockFact, type RuleCheck } from '@delivery/command-kit';
import { OrderSnapshot } from '@delivery/contracts';
import type { Dispatch } from '../domain/dispatch.ts';
import type { DispatchCommand } from '../domain/dispatchCommand.ts';
import { checkDispatchCancellation, checkDispatchRequest } from '../domain/dispatchRules.ts';
import type { DispatchTx } from '../store/dispatchRepository.ts';

interface OrderFactRow {
  order_id: string;
  cancelled_at: Date | null;
}

/**
 * Gathers the facts the dispatch rules need, inside the command's transaction: the order
 * from its owner (read at the moment of the command, never a stale copy), then this
 * service's own row for the order, locked, so that two requests for one order are serialised
 * and the second sees the first's open dispatch. A cancellation asks the delivery service
 * first: its delivery aggregate settles the race with a pickup.
 */
export async function dispatchRuleCheck({ command, current, context, tx, owners }: RuleCheck<Dispatch, DispatchCommand, DispatchTx>): Promise<void> {
  switch (command.type) {
    case 'RequestDispatch': {
      const order = await owners.snapshot('order', 'orders', command.orderId, OrderSnapshot, context.requestId);
      const fact = await lockFact<OrderFactRow>(tx, 'order_facts', 'order_id', command.orderId);
      const [open] = await tx.$queryRawUnsafe<{ id: string }[]>(
        "SELECT id FROM dispatches WHERE order_id = ? AND status IN ('REQUESTED', 'ACCEPTED') LIMIT 1 FOR UPDATE",
        command.orderId,
      );
      checkDispatchRequest(command.orderId, order, { orderCancelled: fact.cancelled_at !== null, openDispatchId: open?.id });
      return;
    }
    case 'CancelDispatch': {
      if (current.status === 'NONE') return;
      const answer = await owners.command(
        'delivery',
        '/internal/v1/dispatch-cancellations',
        { dispatchId: context.aggregateId, orderId: current.orderId, reason: command.reason === null || command.reason === '' ? 'dispatch cancelled' : command.reason },
        context.requestId,
      );
      checkDispatchCancellation(context.aggregateId, answer);
      return;
    }
    case 'AcceptDispatch':
      return;
  }
}
