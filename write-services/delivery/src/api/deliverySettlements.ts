import type { InternalRouteDeps } from '@delivery/command-kit';
import { DeliveryCancelledPayload, Uuid, type DeliveryEvent } from '@delivery/contracts';
import { invalidFields, fieldErrorsOf, Problem, requestIdFrom } from '@delivery/runtime-kit';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Delivery } from '../domain/delivery.ts';
import type { DeliveryCommand } from '../domain/deliveryCommand.ts';
import { deliveriesUnderWay } from '../domain/deliveryRules.ts';
import { deliveryFacts } from '../rules/deliveryFacts.ts';
import type { DeliveryTx } from '../store/deliveryRepository.ts';

/** The reason each cancelled delivery's event carries (one definition: the event contract). */
const Reason = DeliveryCancelledPayload.shape.reason;
const OrderCancellation = z.strictObject({ orderId: Uuid, reason: Reason });
const DispatchCancellation = z.strictObject({ dispatchId: Uuid, orderId: Uuid, reason: Reason });

type Deps = InternalRouteDeps<Delivery, DeliveryCommand, DeliveryEvent, DeliveryTx>;

/**
 * The races the delivery aggregate settles (architecture.md, "Rules across aggregates"): the
 * order and dispatch services call these before cancelling their own aggregate. In one
 * transaction under the order's row lock: refuse (409) if a delivery is already under way,
 * else record the cancellation (no delivery is created or picked up for it afterwards) and
 * cancel the READY deliveries (DeliveryCancelled through the outbox). Idempotent: a repeat
 * finds the cancellation recorded and nothing left to cancel.
 */
export function deliverySettlements(deps: Deps): Router {
  const router = Router();
  router.post('/order-cancellations', (req, res, next) => {
    const body = parse(OrderCancellation, req);
    settle(deps, res, body.orderId, { orderId: body.orderId }, body.reason, (tx, at) =>
      deliveryFacts.recordOrderCancelled(tx, body.orderId, at),
    ).catch(next);
  });
  router.post('/dispatch-cancellations', (req, res, next) => {
    const body = parse(DispatchCancellation, req);
    settle(deps, res, body.orderId, { dispatchId: body.dispatchId }, body.reason, (tx, at) =>
      deliveryFacts.recordDispatchCancelled(tx, body.dispatchId, body.orderId, at),
    ).catch(next);
  });
  return router;
}

function parse<T>(schema: z.ZodType<T>, req: Request): T {
  const result = schema.safeParse(req.body ?? {});
  if (!result.success) throw invalidFields(fieldErrorsOf(result.error.issues, '(body)'), 'request body');
  return result.data;
}

async function settle(
  deps: Deps,
  res: Response,
  orderId: string,
  scope: { orderId: string } | { dispatchId: string },
  reason: string,
  record: (tx: DeliveryTx, at: Date) => Promise<void>,
): Promise<void> {
  const now = deps.clock();
  const requestId = requestIdFrom(res);
  const cancelled = await deps.db.$transaction(
    async (tx) => {
      await deliveryFacts.lockOrder(tx, orderId);
      const deliveries = await deliveryFacts.deliveriesOf(tx, scope);
      const underWay = deliveriesUnderWay(deliveries);
      if (underWay.length > 0) {
        throw new Problem('RULE_VIOLATED', `Delivery ${underWay.join(', ')} is already picked up or delivered.`, {
          extensions: { rule: 'DELIVERY_UNDER_WAY', deliveries: underWay },
        });
      }
      await record(tx, now);
      const ready = deliveries.filter((d) => d.status === 'READY');
      for (const { deliveryId } of ready) {
        await deps.executor.executeIn(tx, { type: 'CancelDelivery', reason }, { aggregateId: deliveryId, now, requestId });
      }
      return ready.map((d) => d.deliveryId);
    },
    { maxWait: 3000, timeout: 10_000 },
  );
  deps.executor.committed();
  res.status(200).json({ cancelled });
}
