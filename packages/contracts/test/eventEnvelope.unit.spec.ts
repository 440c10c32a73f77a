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

  it('rejects a version of zero and a malformed correlation id', () => {
    const bad = { ...base, version: 0, correlationId: 'has space', eventType: 'OrderAccepted', aggregateType: 'order', payload: { status: 'ACCEPTED' } };
    expect(() => parseDomainEvent(bad)).toThrow(/version[\s\S]*correlationId|correlationId[\s\S]*version/);
  });
});
