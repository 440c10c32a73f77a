import { randomUUID } from 'node:crypto';
import type { DeliverySnapshot, DispatchSnapshot, OrderSnapshot } from '@delivery/contracts';

/** What the write services' query APIs answer, for nock to serve in the fallback suites. */
const now = '2026-11-27T10:00:00.000Z';

export const orderSnapshot = (orderId: string): OrderSnapshot => ({
  orderId,
  customerId: 'c-1',
  storeId: 's-1',
  items: [{ menuId: 'm-1', name: 'Kimbap', quantity: 1, unitPrice: 5000 }],
  totalAmount: 5000,
  deliveryAddress: { line: '1 Main St', lat: 37.5, lng: 127 },
  requestNote: null,
  status: 'ACCEPTED',
  cancelReason: null,
  version: 2,
  createdAt: now,
  updatedAt: now,
});

export const dispatchSnapshot = (dispatchId: string): DispatchSnapshot => ({
  dispatchId,
  orderId: randomUUID(),
  pickup: { lat: 1, lng: 2 },
  dropoff: { lat: 3, lng: 4 },
  riderId: 'rider-7',
  status: 'ACCEPTED',
  version: 2,
  createdAt: now,
  updatedAt: now,
});

export const deliverySnapshot = (deliveryId: string): DeliverySnapshot => ({
  deliveryId,
  orderId: randomUUID(),
  dispatchId: randomUUID(),
  riderId: 'rider-7',
  status: 'PICKED_UP',
  location: { lat: 37.51, lng: 127.02, updatedAt: '2026-11-27T19:01:00+09:00' },
  cancelReason: null,
  version: 3,
  createdAt: now,
  updatedAt: now,
});
