import { randomUUID } from 'node:crypto';
import { parseDomainEvent, type DomainEvent, type EventDraft } from '@delivery/contracts';

/**
 * Builds one order's events the way the write services would: per-aggregate versions from
 * 1 without gaps, increasing occurredAt, every event validated against the shared contract.
 */
export class Journey {
  readonly orderId = randomUUID();
  readonly customerId: string;
  dispatchId = randomUUID();
  deliveryId = randomUUID();
  readonly riderId = `rider-${randomUUID().slice(0, 8)}`;
  readonly events: DomainEvent[] = [];
  #clock: number;
  readonly #versions = new Map<string, number>();

  constructor(options: { customerId?: string; at?: number } = {}) {
    this.customerId = options.customerId ?? `customer-${randomUUID().slice(0, 8)}`;
    this.#clock = options.at ?? Date.now() - 60_000;
  }

  #emit(aggregateType: DomainEvent['aggregateType'], aggregateId: string, draft: EventDraft): this {
    const version = (this.#versions.get(aggregateId) ?? 0) + 1;
    this.#versions.set(aggregateId, version);
    this.#clock += 7;
    this.events.push(
      parseDomainEvent({
        eventId: randomUUID(),
        aggregateType,
        aggregateId,
        version,
        occurredAt: new Date(this.#clock).toISOString(),
        correlationId: `test-${version}`,
        ...draft,
      }),
    );
    return this;
  }

  place(note: string | null = 'ring twice'): this {
    return this.#emit('order', this.orderId, {
      eventType: 'OrderPlaced',
      payload: {
        customerId: this.customerId,
        storeId: 'store-1',
        items: [{ menuId: 'm-1', name: 'Bibimbap', quantity: 2, unitPrice: 9000 }],
        totalAmount: 18000,
        deliveryAddress: { line: '1 Main St', lat: 37.5, lng: 127.0 },
        requestNote: note,
        status: 'PLACED',
      },
    });
  }
  accept(): this {
    return this.#emit('order', this.orderId, { eventType: 'OrderAccepted', payload: { status: 'ACCEPTED' } });
  }
  update(requestNote: string): this {
    return this.#emit('order', this.orderId, { eventType: 'OrderUpdated', payload: { requestNote } });
  }
  cancel(reason = 'changed my mind'): this {
    return this.#emit('order', this.orderId, { eventType: 'OrderCancelled', payload: { status: 'CANCELLED', reason } });
  }
  requestDispatch(): this {
    return this.#emit('dispatch', this.dispatchId, {
      eventType: 'DispatchRequested',
      payload: { orderId: this.orderId, pickup: { lat: 37.51, lng: 127.01 }, dropoff: { lat: 37.5, lng: 127.0 }, status: 'REQUESTED' },
    });
  }
  acceptDispatch(): this {
    return this.#emit('dispatch', this.dispatchId, {
      eventType: 'DispatchAccepted',
      payload: { orderId: this.orderId, riderId: this.riderId, status: 'ACCEPTED' },
    });
  }
  cancelDispatch(): this {
    return this.#emit('dispatch', this.dispatchId, {
      eventType: 'DispatchCancelled',
      payload: { orderId: this.orderId, reason: 'no rider', status: 'CANCELLED' },
    });
  }
  /** A new dispatch for the same order (after a cancelled one). */
  redispatch(): this {
    this.dispatchId = randomUUID();
    return this.requestDispatch();
  }
  createDelivery(): this {
    return this.#emit('delivery', this.deliveryId, {
      eventType: 'DeliveryCreated',
      payload: { orderId: this.orderId, dispatchId: this.dispatchId, riderId: this.riderId, status: 'READY' },
    });
  }
  pickUp(): this {
    return this.#emit('delivery', this.deliveryId, {
      eventType: 'DeliveryPickedUp',
      payload: { orderId: this.orderId, dispatchId: this.dispatchId, status: 'PICKED_UP' },
    });
  }
  moveTo(lat: number, lng: number): this {
    return this.#emit('delivery', this.deliveryId, {
      eventType: 'DeliveryLocationUpdated',
      payload: { orderId: this.orderId, dispatchId: this.dispatchId, lat, lng },
    });
  }
  complete(): this {
    return this.#emit('delivery', this.deliveryId, {
      eventType: 'DeliveryCompleted',
      payload: { orderId: this.orderId, dispatchId: this.dispatchId, status: 'DELIVERED' },
    });
  }
  /** A new delivery for the same order and the current dispatch (after a cancelled one). */
  redeliver(): this {
    this.deliveryId = randomUUID();
    return this.createDelivery();
  }
  /** The platform's reaction to a cancelled order or dispatch, while READY. */
  cancelDelivery(reason = 'dispatch cancelled'): this {
    return this.#emit('delivery', this.deliveryId, {
      eventType: 'DeliveryCancelled',
      payload: { orderId: this.orderId, dispatchId: this.dispatchId, status: 'CANCELLED', reason },
    });
  }

  /** Place → accept → dispatch accepted → delivery picked up, moved twice, completed. */
  static delivered(options?: { customerId?: string; at?: number }): Journey {
    return new Journey(options).place().accept().requestDispatch().acceptDispatch().createDelivery().pickUp().moveTo(37.505, 127.005).moveTo(37.501, 127.001).complete();
  }

  /** Events produced after the given count (for a second round). */
  from(index: number): DomainEvent[] {
    return this.events.slice(index);
  }
}
