import { assertNever, changedBy, createdBy, defineDecider, type InitialState } from '@delivery/command-kit';
import type { EventDraft, OrderEvent } from '@delivery/contracts';
import type { Order } from './order.ts';
import type { OrderCommand } from './orderCommand.ts';
import { ORDER_TRANSITIONS } from './orderTransitions.ts';

export type OrderState = Order | InitialState;

export const orderDecider = defineDecider<OrderCommand, OrderEvent, Order>({
  transitions: ORDER_TRANSITIONS,

  decide(command: OrderCommand): EventDraft<OrderEvent>[] {
    switch (command.type) {
      case 'PlaceOrder':
        return [
          {
            eventType: 'OrderPlaced',
            payload: {
              customerId: command.customerId,
              storeId: command.storeId,
              items: command.items,
              totalAmount: command.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0),
              deliveryAddress: command.deliveryAddress,
              requestNote: command.requestNote,
              status: 'PLACED',
            },
          },
        ];
      case 'AcceptOrder':
        return [{ eventType: 'OrderAccepted', payload: { status: 'ACCEPTED' } }];
      case 'UpdateOrder':
        return [
          {
            eventType: 'OrderUpdated',
            payload: {
              ...(command.requestNote === undefined ? {} : { requestNote: command.requestNote }),
              ...(command.deliveryAddress === undefined ? {} : { deliveryAddress: command.deliveryAddress }),
            },
          },
        ];
      case 'CancelOrder':
        return [{ eventType: 'OrderCancelled', payload: { status: 'CANCELLED', reason: command.reason } }];
      default:
        return assertNever(command);
    }
  },

  evolve(state: OrderState, event: OrderEvent): Order {
    switch (event.eventType) {
      case 'OrderPlaced':
        return createdBy(event, { orderId: event.aggregateId, ...event.payload, cancelReason: null });
      case 'OrderAccepted':
        return changedBy(event, state, { status: event.payload.status });
      case 'OrderUpdated':
        return changedBy(event, state, event.payload);
      case 'OrderCancelled':
        return changedBy(event, state, { status: event.payload.status, cancelReason: event.payload.reason });
      default:
        return assertNever(event);
    }
  },
});
