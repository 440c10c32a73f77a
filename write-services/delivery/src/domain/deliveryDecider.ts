import { assertNever, changedBy, createdBy, defineDecider, type InitialState, requireExisting } from '@delivery/command-kit';
import type { DeliveryEvent, EventDraft } from '@delivery/contracts';
import type { Delivery } from './delivery.ts';
import type { DeliveryCommand } from './deliveryCommand.ts';
import { DELIVERY_TRANSITIONS } from './deliveryTransitions.ts';

export type DeliveryState = Delivery | InitialState;

export const deliveryDecider = defineDecider<DeliveryCommand, DeliveryEvent, Delivery>({
  transitions: DELIVERY_TRANSITIONS,

  decide(command: DeliveryCommand, state: DeliveryState): EventDraft<DeliveryEvent>[] {
    if (command.type === 'CreateDelivery') {
      const { orderId, dispatchId, riderId } = command;
      return [{ eventType: 'DeliveryCreated', payload: { orderId, dispatchId, riderId, status: 'READY' } }];
    }
    const { orderId, dispatchId } = requireExisting(state, command.type);
    switch (command.type) {
      case 'PickUpDelivery':
        return [{ eventType: 'DeliveryPickedUp', payload: { orderId, dispatchId, status: 'PICKED_UP' } }];
      case 'UpdateDeliveryLocation':
        return [
          { eventType: 'DeliveryLocationUpdated', payload: { orderId, dispatchId, lat: command.lat, lng: command.lng } },
        ];
      case 'CompleteDelivery':
        return [{ eventType: 'DeliveryCompleted', payload: { orderId, dispatchId, status: 'DELIVERED' } }];
      case 'CancelDelivery':
        return [{ eventType: 'DeliveryCancelled', payload: { orderId, dispatchId, status: 'CANCELLED', reason: command.reason, cause: command.cause } }];
      default:
        return assertNever(command);
    }
  },

  evolve(state: DeliveryState, event: DeliveryEvent): Delivery {
    switch (event.eventType) {
      case 'DeliveryCreated':
        return createdBy(event, { deliveryId: event.aggregateId, ...event.payload, location: null, cancelReason: null });
      case 'DeliveryPickedUp':
      case 'DeliveryCompleted':
        return changedBy(event, state, { status: event.payload.status });
      case 'DeliveryCancelled':
        return changedBy(event, state, { status: event.payload.status, cancelReason: event.payload.reason });
      case 'DeliveryLocationUpdated': {
        const { lat, lng } = event.payload;
        return changedBy(event, state, { location: { lat, lng, updatedAt: event.occurredAt } });
      }
      default:
        return assertNever(event);
    }
  },
});
