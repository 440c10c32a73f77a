import { describe, expect, it } from '@jest/globals';
import { DeliverySnapshot } from '../src/index.ts';

const delivery = {
  deliveryId: '4a0f3f0e-3c1b-4d53-9a8e-0f1d2c3b4a59',
  orderId: '9b2e6d1c-7a54-4f3e-8c21-5d6e7f809a1b',
  dispatchId: '6c1f7e4f-9b72-4d3f-8a2e-3b4c5d6e7f80',
  riderId: 'rider-7',
  location: null,
  version: 2,
  createdAt: '2026-12-07T10:00:00.000Z',
  updatedAt: '2026-12-07T10:01:00.000Z',
};

describe('DeliverySnapshot', () => {
  it('given a cancelled delivery then its status and reason parse', () => {
    expect(DeliverySnapshot.parse({ ...delivery, status: 'CANCELLED', cancelReason: 'order cancelled' })).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'order cancelled',
    });
  });
  it('given an answer of a delivery service older than cancelReason then it parses with cancelReason null', () => {
    expect(DeliverySnapshot.parse({ ...delivery, status: 'READY' }).cancelReason).toBeNull();
  });
});
