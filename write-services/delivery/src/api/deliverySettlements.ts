import { parseBody, type InternalRouteDeps } from '@delivery/command-kit';
import { DeliveryCancelledPayload, Uuid, type DeliveryEvent } from '@delivery/contracts';
import { Problem, requestIdFrom } from '@delivery/runtime-kit';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Delivery } from '../domain/delivery.ts';
import type { DeliveryCommand } from '../domain/deliveryCommand.ts';
import { settleCancellation, type Cancellation } from '../rules/settleCancellation.ts';
import type { DeliveryTx } from '../store/deliveryRepository.ts';

/** The reason each cancelled delivery's event carries (one definition: the event contract). */
const Reason = DeliveryCancelledPayload.shape.reason;
const OrderCancellation = z.strictObject({ orderId: Uuid, reason: Reason });
const DispatchCancellation = z.strictObject({ dispatchId: Uuid, orderId: Uuid, reason: Reason });

type Deps = InternalRouteDeps<Delivery, DeliveryCommand, DeliveryEvent, DeliveryTx>;

/**
 * The races the delivery aggregate settles (architecture.md, "Rules across aggregates"): the
 * order and dispatch services call these before cancelling their own aggregate
 * (rules/settleCancellation.ts). 200 with the deliveries cancelled, or 409
 * DELIVERY_UNDER_WAY. Internal: the gateway routes no `/internal` path.
 */
export function deliverySettlements(deps: Deps): Router {
  const router = Router();
  router.post('/order-cancellations', (req, res, next) => {
    const { orderId, reason } = parseBody(OrderCancellation, req.body);
    settle(deps, res, { orderId, reason }).catch(next);
  });
  router.post('/dispatch-cancellations', (req, res, next) => {
    const { orderId, dispatchId, reason } = parseBody(DispatchCancellation, req.body);
    settle(deps, res, { orderId, dispatchId, reason }).catch(next);
  });
  return router;
}

async function settle(deps: Deps, res: Response, cancellation: Omit<Cancellation, 'now' | 'requestId'>): Promise<void> {
  const settlement = await deps.db.$transaction(
    (tx) => settleCancellation(tx, deps.executor, { ...cancellation, now: deps.clock(), requestId: requestIdFrom(res) }),
    { maxWait: 3000, timeout: 10_000 },
  );
  if (settlement.outcome === 'under-way') {
    throw new Problem('RULE_VIOLATED', `Delivery ${settlement.deliveries.join(', ')} is already picked up or delivered.`, {
      extensions: { rule: 'DELIVERY_UNDER_WAY', deliveries: settlement.deliveries },
    });
  }
  deps.executor.committed();
  res.status(200).json({ cancelled: settlement.cancelled });
}
