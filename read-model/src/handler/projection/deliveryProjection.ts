import type { DeliveryEvent } from '@delivery/contracts';
import { ownDocument, stamp, unhandledEvent, type ViewProjection } from './viewProjection.ts';
import type { DeliveryDocument } from './viewDocuments.ts';

/** The delivery view (current location and its time); the order view keeps a part of it (orderViewPart.ts). */
export const deliveryProjection: ViewProjection<DeliveryEvent, Omit<DeliveryDocument, '_id'>> = {
  name: 'delivery-view',
  canHandle: ['DeliveryCreated', 'DeliveryPickedUp', 'DeliveryLocationUpdated', 'DeliveryCompleted', 'DeliveryCancelled'],
  view: 'deliveries',
  target: ownDocument,
  evolve(patch, event) {
    const { orderId, dispatchId } = event.payload;
    const at = new Date(event.occurredAt);
    switch (event.eventType) {
      case 'DeliveryCreated':
        return {
          ...patch,
          orderId,
          dispatchId,
          riderId: event.payload.riderId,
          status: event.payload.status,
          location: null,
          cancelReason: null,
          pickedUpAt: null,
          deliveredAt: null,
          createdAt: at,
          ...stamp(event),
        };
      case 'DeliveryPickedUp':
        return { ...patch, orderId, dispatchId, status: event.payload.status, pickedUpAt: at, ...stamp(event) };
      case 'DeliveryLocationUpdated':
        return {
          ...patch,
          orderId,
          dispatchId,
          location: { lat: event.payload.lat, lng: event.payload.lng, updatedAt: at },
          ...stamp(event),
        };
      case 'DeliveryCompleted':
        return { ...patch, orderId, dispatchId, status: event.payload.status, deliveredAt: at, ...stamp(event) };
      case 'DeliveryCancelled':
        return { ...patch, orderId, dispatchId, status: event.payload.status, cancelReason: event.payload.reason, ...stamp(event) };
      default:
        return unhandledEvent(event);
    }
  },
};
