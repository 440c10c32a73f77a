import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@delivery/test-support';
import { Journey } from './support/journey.ts';
import type { KafkaFixture } from './support/kafkaFixture.ts';
import { startSuite, type Json, type ReadModelHarness, type Suite } from './support/readModelHarness.ts';

let suite: Suite;
let kafka: KafkaFixture;
let rm: ReadModelHarness;

beforeAll(async () => {
  suite = await startSuite('projection');
  ({ kafka, rm } = suite);
});
afterAll(() => suite.destroy());

const orderAt = (id: string, predicate: (body: Json) => boolean) =>
  eventually(async () => {
    const res = await rm.get(`/api/v1/orders/${id}`);
    return res.status === 200 && res.source !== 'fallback' && predicate(res.body) ? res : undefined;
  });

describe('order journey', () => {
  it('given a whole journey when projected then the order view shows each stage and the last location', async () => {
    const j = new Journey().place();
    await kafka.produce(j.events);
    const placed = await orderAt(j.orderId, (b) => b.stage === 'PLACED');
    expect(placed.body).toMatchObject({ orderId: j.orderId, customerId: j.customerId, status: 'PLACED', version: 1, dispatch: null, delivery: null });

    let sent = j.events.length;
    j.accept().requestDispatch().acceptDispatch();
    await kafka.produce(j.from(sent));
    const assigned = await orderAt(j.orderId, (b) => b.stage === 'RIDER_ASSIGNED');
    expect(assigned.body.dispatch).toMatchObject({ dispatchId: j.dispatchId, status: 'ACCEPTED', riderId: j.riderId, version: 2 });

    sent = j.events.length;
    j.createDelivery().pickUp().moveTo(37.505, 127.005).moveTo(37.501, 127.001).complete();
    await kafka.produce(j.from(sent));
    const delivered = await orderAt(j.orderId, (b) => b.stage === 'DELIVERED');
    expect(delivered.body.delivery).toMatchObject({
      deliveryId: j.deliveryId,
      status: 'DELIVERED',
      location: { lat: 37.501, lng: 127.001 },
      version: 5,
    });
    expect(delivered.body.updatedAt).toBe(j.events.at(-1)!.occurredAt);

    const delivery = await rm.get(`/api/v1/deliveries/${j.deliveryId}`);
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatchObject({ status: 'DELIVERED', location: { lat: 37.501, lng: 127.001, updatedAt: j.events.at(-2)!.occurredAt } });
    const dispatch = await rm.get(`/api/v1/dispatches/${j.dispatchId}`);
    expect(dispatch.body).toMatchObject({ dispatchId: j.dispatchId, orderId: j.orderId, status: 'ACCEPTED', riderId: j.riderId, version: 2 });
  });

  it('given a view in MongoDB when read twice then the second read is served from the cache with the same body', async () => {
    const j = Journey.delivered();
    await kafka.produce(j.events);
    const first = await orderAt(j.orderId, (b) => b.stage === 'DELIVERED');
    const cacheReads = () => rm.metric('read_model_reads_total', { view: 'order', source: 'cache' });
    const cacheReadsBefore = await cacheReads();
    const second = await rm.get(`/api/v1/orders/${j.orderId}`);
    expect(second.source).toBe('cache');
    expect(second.body).toEqual(first.body);
    expect(await cacheReads()).toBe(cacheReadsBefore + 1);
  });
});

describe('idempotency', () => {
  it('given OrderPlaced when it arrives twice then view unchanged', async () => {
    const j = new Journey().place();
    await kafka.produce(j.events);
    const first = await orderAt(j.orderId, () => true);
    await kafka.produce(j.events);
    await kafka.waitConsumed(rm.config.kafka.groupId);
    const doc = await rm.db.collection('orders_gen1').findOne({ _id: j.orderId as never });
    expect((await rm.get(`/api/v1/orders/${j.orderId}`)).body).toEqual(first.body);
    expect(doc?.['rev']).toBe(1);
  });

  it('given a delivered journey when all its events are replayed then every view is unchanged', async () => {
    const j = Journey.delivered();
    await kafka.produce(j.events);
    const before = await orderAt(j.orderId, (b) => b.stage === 'DELIVERED');
    const revBefore = (await rm.db.collection('orders_gen1').findOne({ _id: j.orderId as never }))?.['rev'] as number;
    const staleBefore = await rm.metric('read_model_view_writes_total', { outcome: 'stale' });
    await kafka.produce(j.events);
    await kafka.waitConsumed(rm.config.kafka.groupId);
    // Five parts (order, dispatch view and part, delivery view and part), each refused as stale.
    expect(await rm.metric('read_model_view_writes_total', { outcome: 'stale' })).toBeGreaterThanOrEqual(staleBefore + 5);
    expect((await rm.get(`/api/v1/orders/${j.orderId}`)).body).toEqual(before.body);
    const doc = await rm.db.collection('orders_gen1').findOne({ _id: j.orderId as never });
    expect(doc?.['rev']).toBe(revBefore);
    expect(doc?.['stage']).toBe('DELIVERED');
  });

  it('given an older duplicate after newer events when projected then the view keeps the newer state', async () => {
    const j = new Journey().place('first note').update('second note');
    await kafka.produce(j.events);
    await orderAt(j.orderId, (b) => b.requestNote === 'second note');
    await kafka.produce([j.events[0]!]);
    await kafka.waitConsumed(rm.config.kafka.groupId);
    const view = await rm.get(`/api/v1/orders/${j.orderId}`);
    expect(view.body).toMatchObject({ requestNote: 'second note', version: 2 });
  });
});

describe('joins in any order', () => {
  it('given dispatch and delivery events before their OrderPlaced when projected then the view merges all parts', async () => {
    const j = Journey.delivered();
    const orderEvents = j.events.filter((e) => e.aggregateType === 'order');
    const others = j.events.filter((e) => e.aggregateType !== 'order');
    await kafka.produce(others);
    await eventually(async () => {
      const doc = await rm.db.collection('orders_gen1').findOne({ _id: j.orderId as never });
      return doc?.['deliveries']?.[j.deliveryId]?.version === 5 ? doc : undefined;
    });
    // Not visible before its OrderPlaced: the order part is what makes an order view.
    expect((await rm.get(`/api/v1/orders/${j.orderId}`)).status).toBe(404);
    expect((await rm.get(`/api/v1/deliveries/${j.deliveryId}`)).status).toBe(200);
    await kafka.produce(orderEvents);
    const view = await orderAt(j.orderId, (b) => b.version === 2);
    expect(view.body).toMatchObject({ stage: 'DELIVERED', status: 'ACCEPTED', dispatch: { status: 'ACCEPTED' }, delivery: { status: 'DELIVERED' } });
  });

  it('given a cancelled dispatch and a new one when projected then the current dispatch is the open one', async () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().cancelDispatch();
    const cancelled = j.dispatchId;
    await kafka.produce(j.events);
    await orderAt(j.orderId, (b) => b.dispatch?.status === 'CANCELLED' && b.stage === 'ACCEPTED');
    const sent = j.events.length;
    j.redispatch().acceptDispatch();
    await kafka.produce(j.from(sent));
    const view = await orderAt(j.orderId, (b) => b.stage === 'RIDER_ASSIGNED');
    expect(view.body.dispatch).toMatchObject({ dispatchId: j.dispatchId, status: 'ACCEPTED' });
    expect(j.dispatchId).not.toBe(cancelled);
  });

  it('given an order cancelled after its rider was assigned when projected then the stage is CANCELLED', async () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().cancel('store closed');
    await kafka.produce(j.events);
    const view = await orderAt(j.orderId, (b) => b.stage === 'CANCELLED');
    expect(view.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'store closed' });
  });
});

describe('cancelled deliveries', () => {
  it('given DeliveryCancelled consumed after its dispatch was cancelled then the delivery view is CANCELLED with its reason and the order falls back to ACCEPTED', async () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery();
    await kafka.produce(j.events);
    await orderAt(j.orderId, (b) => b.stage === 'RIDER_ASSIGNED' && b.delivery?.status === 'READY');
    const sent = j.events.length;
    j.cancelDispatch().cancelDelivery('dispatch cancelled');
    await kafka.produce(j.from(sent));

    const view = await orderAt(j.orderId, (b) => b.delivery?.status === 'CANCELLED' && b.dispatch?.status === 'CANCELLED');
    expect(view.body).toMatchObject({
      status: 'ACCEPTED',
      stage: 'ACCEPTED',
      delivery: { deliveryId: j.deliveryId, status: 'CANCELLED', cancelReason: 'dispatch cancelled', version: 2 },
    });
    // The stored stage (what the list query filters on) follows the rule too.
    await eventually(async () => (await rm.db.collection('orders_gen1').findOne({ _id: j.orderId as never }))?.['stage'] === 'ACCEPTED');
    const listed = await rm.get(`/api/v1/orders?customerId=${j.customerId}&stage=ACCEPTED`);
    expect((listed.body.items as { orderId: string }[]).map((o) => o.orderId)).toEqual([j.orderId]);

    const delivery = await rm.get(`/api/v1/deliveries/${j.deliveryId}`);
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatchObject({
      deliveryId: j.deliveryId,
      orderId: j.orderId,
      dispatchId: j.dispatchId,
      status: 'CANCELLED',
      cancelReason: 'dispatch cancelled',
      version: 2,
      updatedAt: j.events.at(-1)!.occurredAt,
    });
  });

  it('given a cancelled delivery and a new one for a new dispatch then the new one is current and the stage is RIDER_ASSIGNED again', async () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().cancelDispatch().cancelDelivery();
    const cancelled = j.deliveryId;
    await kafka.produce(j.events);
    await orderAt(j.orderId, (b) => b.stage === 'ACCEPTED' && b.delivery?.status === 'CANCELLED');
    const sent = j.events.length;
    j.redispatch().acceptDispatch().redeliver();
    await kafka.produce(j.from(sent));
    const view = await orderAt(j.orderId, (b) => b.delivery?.deliveryId === j.deliveryId && b.dispatch?.dispatchId === j.dispatchId);
    expect(view.body).toMatchObject({ stage: 'RIDER_ASSIGNED', delivery: { status: 'READY', cancelReason: null }, dispatch: { dispatchId: j.dispatchId } });
    expect(j.deliveryId).not.toBe(cancelled);
    expect((await rm.get(`/api/v1/deliveries/${cancelled}`)).body).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('poison messages', () => {
  it('given a non-JSON message and an off-contract event when consumed then both go to the DLT with a reason and the partition continues', async () => {
    const deadLettered = () => rm.metric('read_model_events_total', { outcome: 'dead_lettered' });
    const deadLetteredBefore = await deadLettered();
    const j = new Journey().place();
    const bad = { ...j.events[0]!, payload: { ...j.events[0]!.payload, totalAmount: -5 } };
    await kafka.produceRaw(kafka.topics.order, [
      { key: j.orderId, value: '{not json' },
      { key: j.orderId, value: JSON.stringify(bad) },
    ]);
    await kafka.produce(j.events);
    await orderAt(j.orderId, () => true);
    const dead = await kafka.collect(kafka.topics.deadLetter);
    const mine = await eventually(() => {
      const found = dead.filter((m) => m.key?.toString() === j.orderId);
      return found.length >= 2 ? found : undefined;
    });
    const reasons = mine.map((m) => m.headers?.['dlt-reason']?.toString() ?? '');
    expect(reasons.some((r) => r.includes('not JSON'))).toBe(true);
    expect(reasons.some((r) => r.includes('totalAmount'))).toBe(true);
    expect(mine[0]!.headers?.['dlt-source-topic']?.toString()).toBe(kafka.topics.order);
    // Counted once the batch is recorded, just after its letters went out.
    await eventually(async () => (await deadLettered()) >= deadLetteredBefore + 2);
    expect(await deadLettered()).toBe(deadLetteredBefore + 2);
  });

  it('given an event on the wrong topic when consumed then it is dead-lettered, not projected', async () => {
    const j = new Journey().place();
    await kafka.produceRaw(kafka.topics.dispatch, [{ key: j.orderId, value: JSON.stringify(j.events[0]) }]);
    const dead = await kafka.collect(kafka.topics.deadLetter);
    const letter = await eventually(() => dead.find((m) => m.key?.toString() === j.orderId));
    expect(letter.headers?.['dlt-reason']?.toString()).toContain('does not belong on topic');
    expect((await rm.get(`/api/v1/orders/${j.orderId}`)).status).not.toBe(200);
  });

  it('given a document MongoDB refuses to update when its event is projected then it is dead-lettered after retries and the partition continues', async () => {
    const failedWrites = () => rm.metric('read_model_view_writes_total', { outcome: 'failed' });
    const failedBefore = await failedWrites();
    const broken = new Journey().place();
    // A part that is not a document: MongoDB refuses every `$set` below it.
    await rm.db.collection('orders_gen1').insertOne({ _id: broken.orderId as never, order: 'corrupt' });
    const next = new Journey().place();
    await kafka.produce([...broken.events, ...next.events]);
    await orderAt(next.orderId, () => true);
    const dead = await kafka.collect(kafka.topics.deadLetter);
    const letter = await eventually(() => dead.find((m) => m.key?.toString() === broken.orderId));
    expect(letter.headers?.['dlt-reason']?.toString()).toMatch(/OrderPlaced .* v1: orders: .*\(code \d+\)/);
    // One write (the broken order's part) failed all its attempts; counted as the batch is recorded.
    await eventually(async () => (await failedWrites()) >= failedBefore + 1);
    expect(await failedWrites()).toBe(failedBefore + 1);
  });
});

describe('metrics', () => {
  it('exports projection latency, lag per partition and reads by source', async () => {
    const latencies = () => rm.metric('read_model_projection_latency_seconds_count');
    const latenciesBefore = await latencies();
    const j = new Journey().place().accept();
    await kafka.produce(j.events);
    await orderAt(j.orderId, (b) => b.status === 'ACCEPTED');
    await eventually(async () => (await latencies()) >= latenciesBefore + 2);
    expect(await latencies()).toBe(latenciesBefore + 2); // one per event projected
    await eventually(async () => ((await rm.metric('read_model_consumer_lag', { topic: kafka.topics.order })) === 0 ? true : undefined));
    const text = await (await fetch(`${rm.baseUrl}/metrics`)).text();
    expect(text).toMatch(new RegExp(`read_model_consumer_lag\\{[^}]*topic="${kafka.topics.order.replaceAll('.', '\\.')}",partition="[0-2]"`));
  });
});
