import { z } from 'zod';
import { DeliveryAddress, Krw, OrderItem } from './primitives.ts';

export const ORDER_STATUSES = ['PLACED', 'ACCEPTED', 'CANCELLED'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** Carries everything an order view needs, so the read side never calls back. */
export const OrderPlacedPayload = z.strictObject({
  customerId: z.string().min(1).max(64),
  storeId: z.string().min(1).max(64),
  items: z.array(OrderItem).min(1).max(100),
  totalAmount: Krw,
  deliveryAddress: DeliveryAddress,
  requestNote: z.string().max(500).nullable(),
  status: z.literal('PLACED'),
});
export const OrderAcceptedPayload = z.strictObject({ status: z.literal('ACCEPTED') });
export const OrderUpdatedPayload = z.strictObject({
  requestNote: z.string().max(500).nullable().optional(),
  deliveryAddress: DeliveryAddress.optional(),
});
export const OrderCancelledPayload = z.strictObject({
  status: z.literal('CANCELLED'),
  reason: z.string().min(1).max(500),
});

export const ORDER_EVENT_PAYLOADS = {
  OrderPlaced: OrderPlacedPayload,
  OrderAccepted: OrderAcceptedPayload,
  OrderUpdated: OrderUpdatedPayload,
  OrderCancelled: OrderCancelledPayload,
} as const;
