import type { DispatchEvent } from '@delivery/contracts';
import { ownDocument, stamp, unhandledEvent, type ViewProjection } from './viewProjection.ts';
import type { DispatchDocument } from './viewDocuments.ts';

/** The dispatch view; the order view keeps a part of it (orderViewPart.ts). */
export const dispatchProjection: ViewProjection<DispatchEvent, Omit<DispatchDocument, '_id'>> = {
  name: 'dispatch-view',
  canHandle: ['DispatchRequested', 'DispatchAccepted', 'DispatchCancelled'],
  view: 'dispatches',
  target: ownDocument,
  evolve(patch, event) {
    const orderId = event.payload.orderId;
    switch (event.eventType) {
      case 'DispatchRequested': {
        const p = event.payload;
        return {
          ...patch,
          orderId,
          pickup: p.pickup,
          dropoff: p.dropoff,
          riderId: null,
          status: p.status,
          cancelReason: null,
          createdAt: new Date(event.occurredAt),
          ...stamp(event),
        };
      }
      case 'DispatchAccepted':
        return { ...patch, orderId, riderId: event.payload.riderId, status: event.payload.status, ...stamp(event) };
      case 'DispatchCancelled':
        return { ...patch, orderId, status: event.payload.status, cancelReason: event.payload.reason, ...stamp(event) };
      default:
        return unhandledEvent(event);
    }
  },
};
