import type { OrderEvent } from '@delivery/contracts';
import { stamp, unhandledEvent, type ViewProjection } from './viewProjection.ts';
import type { OrderPart } from './viewDocuments.ts';

/** The order aggregate's part of the order view. */
export const orderProjection: ViewProjection<OrderEvent, OrderPart> = {
  name: 'order-view.order',
  canHandle: ['OrderPlaced', 'OrderAccepted', 'OrderUpdated', 'OrderCancelled'],
  view: 'orders',
  target: (event) => ({ id: event.aggregateId, part: 'order' }),
  evolve(patch, event) {
    switch (event.eventType) {
      case 'OrderPlaced': {
        const p = event.payload;
        return {
          ...patch,
          customerId: p.customerId,
          storeId: p.storeId,
          items: p.items,
          totalAmount: p.totalAmount,
          deliveryAddress: p.deliveryAddress,
          requestNote: p.requestNote,
          status: p.status,
          cancelReason: null,
          createdAt: new Date(event.occurredAt),
          ...stamp(event),
        };
      }
      case 'OrderAccepted':
        return { ...patch, status: event.payload.status, ...stamp(event) };
      case 'OrderUpdated': {
        const { requestNote, deliveryAddress } = event.payload;
        return {
          ...patch,
          ...(requestNote === undefined ? {} : { requestNote }),
          ...(deliveryAddress === undefined ? {} : { deliveryAddress }),
          ...stamp(event),
        };
      }
      case 'OrderCancelled':
        return { ...patch, status: event.payload.status, cancelReason: event.payload.reason, ...stamp(event) };
      default:
        return unhandledEvent(event);
    }
  },
};
