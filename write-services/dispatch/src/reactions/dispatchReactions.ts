import { lockFact, type Reaction } from '@delivery/command-kit';
import type { DispatchEvent } from '@delivery/contracts';
import type { Dispatch } from '../domain/dispatch.ts';
import type { DispatchCommand } from '../domain/dispatchCommand.ts';
import type { DispatchTx } from '../store/dispatchRepository.ts';

type DispatchReaction = Reaction<Dispatch, DispatchCommand, DispatchEvent, DispatchTx>;

/**
 * OrderCancelled cancels the order's open dispatches (architecture.md, "Reactions"). Under
 * the order's fact row lock it records the cancellation, so a RequestDispatch that read the
 * order just before it was cancelled and commits after this is refused, and one that
 * committed before is found here and cancelled. Each CancelDispatch asks the delivery
 * service first, as any CancelDispatch does.
 */
export const cancelOpenDispatchesOfCancelledOrder: DispatchReaction = {
  name: 'cancel-open-dispatches-of-cancelled-order',
  canHandle: ['OrderCancelled'],
  async react(event, { tx, executor, contextFor }) {
    if (event.eventType !== 'OrderCancelled') return;
    const orderId = event.aggregateId;
    const { now } = contextFor(orderId);
    await lockFact(tx, 'order_facts', 'order_id', orderId);
    await tx.$executeRawUnsafe('UPDATE order_facts SET cancelled_at = COALESCE(cancelled_at, ?) WHERE order_id = ?', now, orderId);
    const open = await tx.$queryRawUnsafe<{ id: string }[]>(
      "SELECT id FROM dispatches WHERE order_id = ? AND status IN ('REQUESTED', 'ACCEPTED') FOR UPDATE",
      orderId,
    );
    for (const { id } of open) await executor.executeIn(tx, { type: 'CancelDispatch', reason: event.payload.reason }, contextFor(id));
  },
};

export const dispatchReactions: readonly DispatchReaction[] = [cancelOpenDispatchesOfCancelledOrder];
