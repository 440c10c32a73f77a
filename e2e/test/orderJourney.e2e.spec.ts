import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Platform } from '@delivery/infra';
import fc from 'fast-check';
import { commandClient } from '@delivery/test-support';
import { converged, orderScripts, playOrder } from './support/domainProperty.ts';
import { command, idOf, newCustomerOrder, viewEventually, type Surfaces } from './support/orderJourney.ts';
import { startWholeSystem } from './support/wholeSystem.ts';

describe('an order through the whole platform', () => {
  let platform: Platform;
  let surfaces: Surfaces;

  beforeAll(async () => {
    platform = await startWholeSystem('journey');
    surfaces = { gateway: platform.urls.GATEWAY_URL!, readModel: platform.urls.READ_MODEL_URL! };
  }, 180_000);

  afterAll(async () => {
    await platform.stop();
  }, 60_000);

  it('goes from PLACED to DELIVERED, each stage visible in the read model', async () => {
    const placed = await command(surfaces, 'POST', '/api/v1/orders', newCustomerOrder());
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'PLACED', version: 1 });
    expect(placed.headers.get('x-request-id')).toBeTruthy();
    const orderId = idOf(placed, 'orderId');
    const orderPath = `/api/v1/orders/${orderId}`;

    const placedView = await viewEventually(surfaces, orderPath, (v) => v.stage === 'PLACED');
    expect(placedView).toMatchObject({ orderId, totalAmount: 21000 });

    await command(surfaces, 'POST', `${orderPath}/accept`);
    await viewEventually(surfaces, orderPath, (v) => v.stage === 'ACCEPTED');

    const dispatch = await command(surfaces, 'POST', '/api/v1/dispatches', {
      orderId,
      pickup: { lat: 37.49, lng: 127.02 },
      dropoff: { lat: 37.5, lng: 127.03 },
    });
    const dispatchId = idOf(dispatch, 'dispatchId');
    await command(surfaces, 'POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: 'rider-7' });
    await viewEventually(surfaces, orderPath, (v) => v.stage === 'RIDER_ASSIGNED');

    const delivery = await command(surfaces, 'POST', '/api/v1/deliveries', { orderId, dispatchId, riderId: 'rider-7' });
    const deliveryId = idOf(delivery, 'deliveryId');
    await command(surfaces, 'POST', `/api/v1/deliveries/${deliveryId}/pickup`);
    await viewEventually(surfaces, orderPath, (v) => v.stage === 'PICKED_UP');

    await command(surfaces, 'PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.495, lng: 127.025 });
    const last = await command(surfaces, 'PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.499, lng: 127.029 });
    const completed = await command(surfaces, 'POST', `/api/v1/deliveries/${deliveryId}/complete`);
    expect(completed.body.version).toBe((last.body.version as number) + 1);

    const deliveredView = await viewEventually(surfaces, orderPath, (v) => v.stage === 'DELIVERED');
    expect(JSON.stringify(deliveredView)).toContain('37.499');
    const deliveryView = await viewEventually(surfaces, `/api/v1/deliveries/${deliveryId}`, (v) => v.status === 'DELIVERED');
    expect(deliveryView).toMatchObject({ deliveryId, location: { lat: 37.499, lng: 127.029 } });
    const dispatchView = await viewEventually(surfaces, `/api/v1/dispatches/${dispatchId}`, (v) => v.status === 'ACCEPTED');
    expect(dispatchView).toMatchObject({ dispatchId, riderId: 'rider-7' });

    const graphql = await commandClient(surfaces.readModel).send('POST', '/graphql', {
      query: 'query Journey($id: ID!) { order(orderId: $id) { stage delivery { deliveryId status location { lat lng } } } }',
      variables: { id: orderId },
    });
    expect(graphql.status).toBe(200);
    expect(graphql.body).toEqual({
      data: { order: { stage: 'DELIVERED', delivery: { deliveryId, status: 'DELIVERED', location: { lat: 37.499, lng: 127.029 } } } },
    });
  }, 180_000);

  it('converges on one aggregate per id when every command and query spells its ids in upper or mixed case', async () => {
    const gateway = commandClient(surfaces.gateway);
    const readModel = commandClient(surfaces.readModel);
    const upper = (id: string) => id.toUpperCase();
    // Every other hex letter upper-cased: neither the canonical form nor all upper case.
    const mixed = (id: string) => {
      let letter = 0;
      return id.replace(/[a-f]/g, (c) => (letter++ % 2 === 0 ? c.toUpperCase() : c));
    };
    const route = { pickup: { lat: 37.49, lng: 127.02 }, dropoff: { lat: 37.5, lng: 127.03 } };

    const order = newCustomerOrder();
    const orderId = idOf(await command(surfaces, 'POST', '/api/v1/orders', order), 'orderId');
    expect(orderId).toBe(orderId.toLowerCase());
    expect(mixed(orderId)).not.toBe(orderId);
    const updated = await command(surfaces, 'PATCH', `/api/v1/orders/${mixed(orderId)}`, { requestNote: 'ring twice' });
    expect(updated.body).toEqual({ orderId, status: 'PLACED', version: 2 });

    // One Idempotency-Key, the path spelled two ways: one scope, so the second is a replay.
    const key = `accept-${randomUUID()}`;
    const accepted = await gateway.send('POST', `/api/v1/orders/${upper(orderId)}/accept`, {}, { 'Idempotency-Key': key });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ orderId, status: 'ACCEPTED', version: 3 });
    const replayed = await gateway.send('POST', `/api/v1/orders/${mixed(orderId)}/accept`, {}, { 'Idempotency-Key': key });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(accepted.body);

    const firstDispatchId = idOf(await command(surfaces, 'POST', '/api/v1/dispatches', { orderId: upper(orderId), ...route }), 'dispatchId');
    const dispatchCancelled = await command(surfaces, 'POST', `/api/v1/dispatches/${upper(firstDispatchId)}/cancel`, { reason: 'rider unavailable' });
    expect(dispatchCancelled.body).toEqual({ dispatchId: firstDispatchId, status: 'CANCELLED', version: 2 });
    const dispatchId = idOf(await command(surfaces, 'POST', '/api/v1/dispatches', { orderId: mixed(orderId), ...route }), 'dispatchId');
    const riderAccepted = await command(surfaces, 'POST', `/api/v1/dispatches/${mixed(dispatchId)}/accept`, { riderId: 'rider-7' });
    expect(riderAccepted.body).toEqual({ dispatchId, status: 'ACCEPTED', version: 2 });

    const created = await command(surfaces, 'POST', '/api/v1/deliveries', {
      orderId: upper(orderId),
      dispatchId: mixed(dispatchId),
      riderId: 'rider-7',
    });
    const deliveryId = idOf(created, 'deliveryId');
    expect(deliveryId).toBe(deliveryId.toLowerCase());
    expect((await command(surfaces, 'POST', `/api/v1/deliveries/${upper(deliveryId)}/pickup`)).body).toEqual({
      deliveryId,
      status: 'PICKED_UP',
      version: 2,
    });
    const located = await command(surfaces, 'PUT', `/api/v1/deliveries/${mixed(deliveryId)}/location`, { lat: 37.497, lng: 127.027 });
    expect(located.body).toEqual({ deliveryId, status: 'PICKED_UP', version: 3 });
    expect((await command(surfaces, 'POST', `/api/v1/deliveries/${upper(deliveryId)}/complete`)).body).toEqual({
      deliveryId,
      status: 'DELIVERED',
      version: 4,
    });

    const otherOrder = newCustomerOrder();
    const otherId = idOf(await command(surfaces, 'POST', '/api/v1/orders', otherOrder), 'orderId');
    const orderCancelled = await command(surfaces, 'POST', `/api/v1/orders/${upper(otherId)}/cancel`, { reason: 'changed my mind' });
    expect(orderCancelled.body).toEqual({ orderId: otherId, status: 'CANCELLED', version: 2 });

    // REST: every view found by any spelling, under the canonical id, with every event applied.
    const orderView = await viewEventually(surfaces, `/api/v1/orders/${upper(orderId)}`, (v) => v.stage === 'DELIVERED' && v.version === 3);
    expect(orderView).toMatchObject({
      orderId,
      status: 'ACCEPTED',
      requestNote: 'ring twice',
      dispatch: { dispatchId, status: 'ACCEPTED', riderId: 'rider-7', version: 2 },
      delivery: { deliveryId, dispatchId, status: 'DELIVERED', version: 4 },
    });
    expect((await readModel.get(`/api/v1/orders/${orderId}`)).body).toEqual(orderView);
    const dispatchView = await viewEventually(surfaces, `/api/v1/dispatches/${mixed(dispatchId)}`, (v) => v.version === 2);
    expect(dispatchView).toMatchObject({ dispatchId, orderId, status: 'ACCEPTED', riderId: 'rider-7' });
    const cancelledDispatchView = await viewEventually(surfaces, `/api/v1/dispatches/${upper(firstDispatchId)}`, (v) => v.version === 2);
    expect(cancelledDispatchView).toMatchObject({ dispatchId: firstDispatchId, orderId, status: 'CANCELLED' });
    const deliveryView = await viewEventually(surfaces, `/api/v1/deliveries/${upper(deliveryId)}`, (v) => v.version === 4);
    expect(deliveryView).toMatchObject({ deliveryId, orderId, dispatchId, status: 'DELIVERED', location: { lat: 37.497, lng: 127.027 } });
    const otherView = await viewEventually(surfaces, `/api/v1/orders/${mixed(otherId)}`, (v) => v.version === 2);
    expect(otherView).toMatchObject({ orderId: otherId, status: 'CANCELLED', stage: 'CANCELLED' });

    // One aggregate, not one per spelling: the customer has exactly one order view.
    const page = await readModel.get(`/api/v1/orders?customerId=${order.customerId}`);
    expect(page.status).toBe(200);
    expect((page.body as { items: { orderId: string; version: number }[] }).items.map((v) => [v.orderId, v.version])).toEqual([[orderId, 3]]);

    // GraphQL arguments in other cases; every id answered in lower case.
    const graphql = await readModel.send('POST', '/graphql', {
      query: `query Cased($order: ID!, $dispatch: ID!, $delivery: ID!, $other: ID!) {
        order(orderId: $order) { orderId version stage dispatch { dispatchId orderId status } delivery { deliveryId orderId dispatchId status } }
        dispatch(dispatchId: $dispatch) { dispatchId orderId status version }
        delivery(deliveryId: $delivery) { deliveryId orderId dispatchId status version }
        other: order(orderId: $other) { orderId status version }
      }`,
      variables: { order: upper(orderId), dispatch: upper(firstDispatchId), delivery: mixed(deliveryId), other: mixed(otherId) },
    });
    expect(graphql.status).toBe(200);
    expect(graphql.body).toEqual({
      data: {
        order: {
          orderId,
          version: 3,
          stage: 'DELIVERED',
          dispatch: { dispatchId, orderId, status: 'ACCEPTED' },
          delivery: { deliveryId, orderId, dispatchId, status: 'DELIVERED' },
        },
        dispatch: { dispatchId: firstDispatchId, orderId, status: 'CANCELLED', version: 2 },
        delivery: { deliveryId, orderId, dispatchId, status: 'DELIVERED', version: 4 },
        other: { orderId: otherId, status: 'CANCELLED', version: 2 },
      },
    });
  }, 180_000);

  it('answers a bad command through the gateway with the write service problem, unchanged', async () => {
    const res = await fetch(`${surfaces.gateway}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'c' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('leaves no impossible state, whatever the commands and their concurrency (property, fixed seed)', async () => {
    const owners = { order: platform.urls.ORDER_URL!, dispatch: platform.urls.DISPATCH_URL!, delivery: platform.urls.DELIVERY_URL! };
    await fc.assert(
      fc.asyncProperty(orderScripts(4), async (scripts) => {
        const tracked = await Promise.all(scripts.map((script) => playOrder(surfaces, script)));
        for (const order of tracked) expect([order.orderId, await converged(surfaces, owners, order)]).toEqual([order.orderId, []]);
      }),
      // More runs: PROPERTY_RUNS=50 npm test -- e2e/test/orderJourney.e2e.spec.ts
      { seed: 20_261_207, numRuns: Number(process.env.PROPERTY_RUNS ?? 2), endOnFailure: true },
    );
  }, 300_000);
});
