import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { OrderView, renderDeliveryView, renderDispatchView, renderOrderView, type OrderDocument } from '../../src/handler/index.ts';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const order = {
  customerId: 'c-1',
  storeId: 's-1',
  items: [{ menuId: 'm', name: 'Noodles', quantity: 1, unitPrice: 8000 }],
  totalAmount: 8000,
  deliveryAddress: { line: 'x', lat: 1, lng: 2 },
  requestNote: null,
  status: 'ACCEPTED' as const,
  cancelReason: null,
  createdAt: t(0),
  updatedAt: t(1),
  version: 2,
};

describe('renderOrderView', () => {
  it('given no order part when rendered then the view is not visible', () => {
    expect(renderOrderView({ _id: randomUUID(), dispatches: { [randomUUID()]: { status: 'ACCEPTED', updatedAt: t(1), version: 2 } } })).toBeUndefined();
  });

  it('given a cancelled and an open dispatch when rendered then the open one is current', () => {
    const [cancelled, open] = [randomUUID(), randomUUID()];
    const doc: OrderDocument = {
      _id: randomUUID(),
      order,
      dispatches: {
        [cancelled]: { status: 'CANCELLED', riderId: 'r1', createdAt: t(5), updatedAt: t(6), version: 3 },
        [open]: { status: 'REQUESTED', riderId: null, createdAt: t(2), updatedAt: t(2), version: 1 },
      },
    };
    const rendered = renderOrderView(doc)!;
    expect(rendered.view.dispatch?.dispatchId).toBe(open);
    expect(rendered.view.stage).toBe('ACCEPTED');
    expect(rendered.version).toBe(2 + 3 + 1);
    expect(rendered.view.updatedAt).toBe(t(6).toISOString());
    expect(OrderView.safeParse(rendered.view).success).toBe(true);
  });

  it('given two deliveries when rendered then the furthest along is current', () => {
    const [ready, done] = [randomUUID(), randomUUID()];
    const base = { dispatchId: randomUUID(), riderId: 'r', location: null, pickedUpAt: null, deliveredAt: null, updatedAt: t(3) };
    const view = renderOrderView({
      _id: randomUUID(),
      order,
      deliveries: { [ready]: { ...base, status: 'READY', createdAt: t(9), version: 1 }, [done]: { ...base, status: 'DELIVERED', createdAt: t(1), version: 4 } },
    })!.view;
    expect(view.delivery?.deliveryId).toBe(done);
    expect(view.stage).toBe('DELIVERED');
  });

  it('given a cancelled delivery and a READY one created before it when rendered then the READY one is current', () => {
    const [ready, cancelled] = [randomUUID(), randomUUID()];
    const base = { dispatchId: randomUUID(), riderId: 'r', location: null, pickedUpAt: null, deliveredAt: null };
    const rendered = renderOrderView({
      _id: randomUUID(),
      order,
      deliveries: {
        [cancelled]: { ...base, status: 'CANCELLED', cancelReason: 'dispatch cancelled', createdAt: t(8), updatedAt: t(9), version: 2 },
        [ready]: { ...base, status: 'READY', cancelReason: null, createdAt: t(2), updatedAt: t(2), version: 1 },
      },
    })!;
    expect(rendered.view.delivery).toMatchObject({ deliveryId: ready, status: 'READY', cancelReason: null });
    expect(rendered.view.stage).toBe('RIDER_ASSIGNED');
    expect(OrderView.safeParse(rendered.view).success).toBe(true);
  });

  it('given only a cancelled delivery when rendered then it is current, with its reason, and does not count toward the stage', () => {
    const cancelled = randomUUID();
    const view = renderOrderView({
      _id: randomUUID(),
      order,
      deliveries: {
        [cancelled]: {
          dispatchId: randomUUID(),
          riderId: 'r',
          status: 'CANCELLED',
          cancelReason: 'order cancelled',
          location: null,
          pickedUpAt: null,
          deliveredAt: null,
          createdAt: t(2),
          updatedAt: t(3),
          version: 2,
        },
      },
    })!.view;
    expect(view.delivery).toMatchObject({ deliveryId: cancelled, status: 'CANCELLED', cancelReason: 'order cancelled' });
    expect(view.stage).toBe('ACCEPTED');
  });
});

describe('renderDispatchView and renderDeliveryView', () => {
  it('given a dispatch part without its DispatchRequested when rendered then it is not visible', () => {
    expect(renderDispatchView({ _id: randomUUID(), orderId: randomUUID(), status: 'ACCEPTED', riderId: 'r', updatedAt: t(1), version: 2 })).toBeUndefined();
  });
  it('given a delivery with a location when rendered then the location carries its own time', () => {
    const rendered = renderDeliveryView({
      _id: randomUUID(),
      orderId: randomUUID(),
      dispatchId: randomUUID(),
      riderId: 'r',
      status: 'PICKED_UP',
      location: { lat: 3, lng: 4, updatedAt: t(7) },
      pickedUpAt: t(5),
      deliveredAt: null,
      createdAt: t(1),
      updatedAt: t(7),
      version: 3,
    })!;
    expect(rendered.view.location).toEqual({ lat: 3, lng: 4, updatedAt: t(7).toISOString() });
    expect(rendered.version).toBe(3);
  });
  it('given a delivery stored before cancelReason existed when rendered then it is visible with cancelReason null', () => {
    const rendered = renderDeliveryView({
      _id: randomUUID(),
      orderId: randomUUID(),
      dispatchId: randomUUID(),
      riderId: 'r',
      status: 'READY',
      location: null,
      pickedUpAt: null,
      deliveredAt: null,
      createdAt: t(1),
      updatedAt: t(1),
      version: 1,
    })!;
    expect(rendered.view).toMatchObject({ status: 'READY', cancelReason: null });
  });
});
