import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { mongoUrl } from '@delivery/infra';
import { catchUpWrites, planProjection, stageUpdates } from '../src/handler/index.ts';
import { ensureIndexes, insertedDocument, viewCollections, ViewStore } from '../src/repository/index.ts';
import { Journey } from './support/journey.ts';
import { isolatedNames } from './support/readModelHarness.ts';

/** The guarded upserts on the real MongoDB wire protocol (the local stand-in). */
const client = new MongoClient(mongoUrl());
const db = client.db(isolatedNames('view-store').MONGO_DATABASE);
const views = viewCollections(db, 1);
const store = new ViewStore();

beforeAll(() => ensureIndexes(views));
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

describe('ViewStore.applyWrites', () => {
  it('given two sources creating the same order view at the same time when written then both parts are kept', async () => {
    for (let i = 0; i < 40; i++) {
      const j = new Journey().place().requestDispatch();
      const [orderWrites, dispatchWrites] = [planProjection([j.events[0]!]).writes, planProjection([j.events[1]!]).writes];
      const outcomes = await Promise.all([store.applyWrites(views, orderWrites), store.applyWrites(views, dispatchWrites)]);
      for (const outcome of outcomes) expect(outcome.stale + outcome.failed.length).toBe(0);
      const doc = await views.orders.findOne({ _id: j.orderId });
      expect(doc?.order?.version).toBe(1);
      expect(doc?.dispatches?.[j.dispatchId]?.version).toBe(1);
      expect(doc?.rev).toBe(2);
    }
  });

  it('given a part already at a newer version when an older write arrives then it is stale and changes nothing', async () => {
    const j = new Journey().place('one').update('two');
    await store.applyWrites(views, planProjection(j.events).writes);
    const outcome = await store.applyWrites(views, planProjection([j.events[0]!]).writes);
    expect([outcome.applied.length, outcome.stale]).toEqual([0, 1]);
    expect((await views.orders.findOne({ _id: j.orderId }))?.order).toMatchObject({ requestNote: 'two', version: 2 });
  });

  it('given a redelivered batch overlapping what a part holds then only its newer events are applied, each counted once', async () => {
    const j = new Journey().place('one').update('two').update('three').requestDispatch();
    await store.applyWrites(views, planProjection(j.events.slice(0, 2)).writes);
    const overlapping = planProjection(j.events).writes;
    const outcome = await store.applyWrites(views, overlapping);
    // The order part holds v2 of v1..v3: refused as a whole; the dispatch parts are new.
    expect(outcome.applied.map((w) => `${w.view}:${w.part}`).sort()).toEqual(['dispatches:', `orders:dispatches.${j.dispatchId}`]);
    const stored = async () => new Map((await store.findByIds(views, 'orders', [j.orderId])).map((d) => [d._id, d]));
    const docs = await stored();
    const catchUp = catchUpWrites(overlapping, (view, id) => (view === 'orders' ? docs.get(id) : { version: 1 }));
    expect(catchUp.map((w) => [w.part, w.firstVersion, w.version])).toEqual([['order', 3, 3]]);
    await store.applyWrites(views, catchUp);
    const doc = await views.orders.findOne({ _id: j.orderId });
    expect(doc?.order).toMatchObject({ requestNote: 'three', version: 3, applied: 3 });
    expect(doc?.dispatches?.[j.dispatchId]).toMatchObject({ version: 1, applied: 1 });
  });

  it('given an order view created by its order part then the stage is stored with that write and the derive step has nothing to write', async () => {
    const placed = new Journey().place();
    await store.applyWrites(views, planProjection(placed.events).writes);
    expect(await views.orders.findOne({ _id: placed.orderId })).toMatchObject({ stage: 'PLACED', rev: 1 });
    expect(stageUpdates(await store.findByIds(views, 'orders', [placed.orderId]))).toEqual([]);
    // A batch folding several order events creates the view at the stage they lead to.
    const cancelled = new Journey().place().accept().cancel();
    await store.applyWrites(views, planProjection(cancelled.events).writes);
    expect(await views.orders.findOne({ _id: cancelled.orderId })).toMatchObject({ stage: 'CANCELLED', rev: 1 });
    expect(stageUpdates(await store.findByIds(views, 'orders', [cancelled.orderId]))).toEqual([]);
  });

  it('given writes that create their documents then each is reported inserted and insertedDocument is exactly what MongoDB stored', async () => {
    const journeys = [
      new Journey().place(null),
      new Journey().place('ring twice').accept().update('leave at the door'),
      new Journey().place().requestDispatch().acceptDispatch().createDelivery().pickUp().moveTo(37.505, 127.005),
    ];
    for (const journey of journeys) {
      const { writes } = planProjection(journey.events);
      const outcome = await store.applyWrites(views, writes);
      // Every write here targets a document of its own, except the order view's several parts.
      const created = outcome.inserted.filter((w) => writes.filter((o) => o.view === w.view && o.id === w.id).length === 1);
      expect(created.length).toBeGreaterThan(0);
      for (const write of created) {
        expect(insertedDocument(write)).toEqual(await views[write.view].findOne({ _id: write.id }));
      }
    }
    // A write over an existing document is applied, not inserted.
    const again = new Journey().place();
    await store.applyWrites(views, planProjection(again.events).writes);
    const accepted = await store.applyWrites(views, planProjection([...again.accept().events.slice(1)]).writes);
    expect([accepted.applied.length, accepted.inserted.length]).toEqual([1, 0]);
  });

  it('given a document created by a dispatch event when its OrderPlaced arrives then the order part is added, not refused', async () => {
    const j = new Journey().place().requestDispatch();
    await store.applyWrites(views, planProjection([j.events[1]!]).writes);
    const outcome = await store.applyWrites(views, planProjection([j.events[0]!]).writes);
    expect(outcome.applied).toHaveLength(1);
    const docs = await store.findByIds(views, 'orders', [j.orderId]);
    expect(stageUpdates(docs)).toEqual([{ id: j.orderId, rev: 2, stage: 'PLACED' }]);
    await store.writeStages(views, stageUpdates(docs));
    expect(await views.orders.findOne({ _id: j.orderId })).toMatchObject({ stage: 'PLACED', rev: 2 });
    expect(stageUpdates(await store.findByIds(views, 'orders', [j.orderId]))).toEqual([]);
  });

  it('given stored parts when the derived fields are written then a derivation from an older read is dropped', async () => {
    const j = new Journey().place().accept();
    await store.applyWrites(views, planProjection([j.events[0]!]).writes);
    const stale = await views.orders.findOne({ _id: j.orderId });
    await store.applyWrites(views, planProjection([j.events[1]!]).writes);
    await store.writeStages(views, stageUpdates(await store.findByIds(views, 'orders', [j.orderId])));
    // A derivation computed from the older read loses: its rev guard no longer matches.
    await store.writeStages(views, [{ id: j.orderId, rev: stale!.rev!, stage: 'PLACED' }]);
    expect((await views.orders.findOne({ _id: j.orderId }))?.stage).toBe('ACCEPTED');
  });
});
