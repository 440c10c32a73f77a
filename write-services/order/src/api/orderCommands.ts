import { defineCommand, EmptyBody } from '@delivery/command-kit';
import { Krw, OrderCancelledPayload, OrderPlacedPayload, OrderUpdatedPayload } from '@delivery/contracts';
import { z } from 'zod';
import type { OrderCommand } from '../domain/orderCommand.ts';

/** Bodies derive from the event contracts, so a command accepts exactly what its event can carry. */
export const PlaceOrderBody = OrderPlacedPayload.omit({ totalAmount: true, status: true, requestNote: true })
  .extend({ requestNote: z.string().max(500).nullable().optional() })
  .refine((body) => Krw.safeParse(body.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0)).success, {
    error: 'the order total exceeds the largest amount allowed',
    path: ['items'],
  });

export const UpdateOrderBody = OrderUpdatedPayload.refine(
  (body) => body.requestNote !== undefined || body.deliveryAddress !== undefined,
  { error: 'give requestNote and/or deliveryAddress' },
);

export const CancelOrderBody = OrderCancelledPayload.pick({ reason: true });

/** The order service's command table (architecture.md). */
export const orderCommands = [
  defineCommand({
    name: 'PlaceOrder',
    method: 'post',
    creates: true,
    summary: 'Place an order (→ PLACED)',
    body: PlaceOrderBody,
    toCommand: (body): OrderCommand => ({ type: 'PlaceOrder', ...body, requestNote: body.requestNote ?? null }),
  }),
  defineCommand({
    name: 'AcceptOrder',
    method: 'post',
    action: '/accept',
    summary: 'The store accepts the order (PLACED → ACCEPTED)',
    body: EmptyBody,
    toCommand: (): OrderCommand => ({ type: 'AcceptOrder' }),
  }),
  defineCommand({
    name: 'UpdateOrder',
    method: 'patch',
    summary: 'Change requestNote and/or deliveryAddress while PLACED',
    body: UpdateOrderBody,
    toCommand: (body): OrderCommand => ({ type: 'UpdateOrder', ...body }),
  }),
  defineCommand({
    name: 'CancelOrder',
    method: 'post',
    action: '/cancel',
    summary: 'Cancel the order with a reason (PLACED or ACCEPTED → CANCELLED)',
    body: CancelOrderBody,
    toCommand: (body): OrderCommand => ({ type: 'CancelOrder', reason: body.reason }),
  }),
];
