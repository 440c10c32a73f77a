import { describe, expect, it } from '@jest/globals';
import { DomainEvent, parseDomainEvent, topicOf } from '../src/index.ts';

const base = {
  eventId: '4a0f3f0e-3c1b-4d53-9a8e-0f1d2c3b4a59',
  aggregateId: '9b2e6d1c-7a54-4f3e-8c21-5d6e7f809a1b',
  version: 1,
  occurredAt: '2026-11-27T10:00:00.000Z',
  correlationId: 'req-1',
};

describe('event contract', () => {
  it('accepts a complete OrderPlaced', () => {
    const event = parseDomainEvent({
      ...base,
      eventType: 'OrderPlaced',
      aggregateType: 'order',
      payload: {
        customerId: 'c-1',
        storeId: 's-1',
        items: [{ menuId: 'm-1', name: 'Bibimbap', quantity: 2, unitPrice: 9000 }],
        totalAmount: 18000,
        deliveryAddress: { line: '1 Main St', lat: 37.5, lng: 127 },
        requestNote: null,
        status: 'PLACED',
      },
    });
    expect(event.eventType).toBe('OrderPlaced');
    expect(topicOf(event)).toBe('order.event');
  });

  it('rejects a dispatch event without its orderId and names the field', () => {
    expect(() =>
      parseDomainEvent({
        ...base,
        eventType: 'DispatchAccepted',
        aggregateType: 'dispatch',
        payload: { riderId: 'r-1', status: 'ACCEPTED' },
      }),
    ).toThrow(/orderId/);
  });

  it('rejects an event whose type belongs to another aggregate', () => {
    const result = DomainEvent.safeParse({
      ...base,
      eventType: 'DeliveryCompleted',
      aggregateType: 'order',
      payload: { orderId: base.aggregateId, dispatchId: base.aggregateId, status: 'DELIVERED' },
    });
    expect(result.success).toBe(false);
  });

  it('given ids in upper and mixed case then the parser answers them in lower case (aggregateId, eventId, payload refs)', () => {
    const orderId = '6C1F7E4F-9B72-4D3F-8A2E-3B4C5D6E7F80';
    const dispatchId = '7d2A8f50-Ac83-4E4a-9b3F-4c5D6e7F8091';
    const event = parseDomainEvent({
      ...base,
      eventId: base.eventId.toUpperCase(),
      aggregateId: '9B2e6D1c-7A54-4f3E-8C21-5d6E7f809A1b',
      eventType: 'DeliveryCreated',
      aggregateType: 'delivery',
      payload: { orderId, dispatchId, riderId: 'Rider-7', status: 'READY' },
    });
    expect(event).toMatchObject({
      eventId: base.eventId,
      aggregateId: base.aggregateId,
      payload: { orderId: orderId.toLowerCase(), dispatchId: dispatchId.toLowerCase(), riderId: 'Rider-7' },
    });
    const dispatch = parseDomainEvent({
      ...base,
      eventType: 'DispatchAccepted',
      aggregateType: 'dispatch',
      payload: { orderId, riderId: 'Rider-7', status: 'ACCEPTED' },
    });
    expect(dispatch.eventType === 'DispatchAccepted' && dispatch.payload.orderId).toBe(orderId.toLowerCase());
  });

  it('accepts a DeliveryCancelled with its order, dispatch and reason; rejects one without a reason', () => {
    const payload = { orderId: base.aggregateId, dispatchId: base.eventId, status: 'CANCELLED', reason: 'order cancelled' };
    const event = parseDomainEvent({ ...base, eventType: 'DeliveryCancelled', aggregateType: 'delivery', payload });
    expect(event).toMatchObject({ eventType: 'DeliveryCancelled', payload });
    expect(topicOf(event)).toBe('delivery.event');
    const { reason: _reason, ...withoutReason } = payload;
    expect(() => parseDomainEvent({ ...base, eventType: 'DeliveryCancelled', aggregateType: 'delivery', payload: withoutReason })).toThrow(/reason/);
  });

  it('rejects a version of zero and a malformed correlation id', () => {
    const bad = { ...base, version: 0, correlationId: 'has space', eventType: 'OrderAccepted', aggregateType: 'order', payload: { status: 'ACCEPTED' } };
    expect(() => parseDomainEvent(bad)).toThrow(/version[\s\S]*correlationId|correlationId[\s\S]*version/);
  });
});
