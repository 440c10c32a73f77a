import { afterAll, describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '@delivery/contracts';
import { Journey } from './support/journey.ts';
import { KafkaFixture } from './support/kafkaFixture.ts';
import { ReadModelHarness, testConfig } from './support/readModelHarness.ts';

/**
 * The same event set, interleaved differently across topics (per-aggregate order kept, as
 * Kafka keeps it per key), must give identical views and stages for every seed.
 */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function interleave(events: DomainEvent[], seed: number): DomainEvent[] {
  const random = mulberry32(seed);
  const queues = [...Map.groupBy(events, (e) => e.aggregateId).values()].map((q) => [...q]);
  const out: DomainEvent[] = [];
  while (queues.some((q) => q.length > 0)) {
    const open = queues.filter((q) => q.length > 0);
    out.push(open[Math.floor(random() * open.length)]!.shift()!);
  }
  return out;
}

const journeys = [
  Journey.delivered(),
  Journey.delivered(),
  new Journey().place().accept().requestDispatch().acceptDispatch().cancelDispatch().redispatch().acceptDispatch().createDelivery().pickUp().moveTo(37.2, 127.2),
  new Journey().place('a').update('b').accept().requestDispatch().acceptDispatch().cancel('store closed'),
  new Journey().place().accept().requestDispatch(),
  new Journey().place().update('leave at the door'),
  new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery(),
];
const expectedStages = ['DELIVERED', 'DELIVERED', 'PICKED_UP', 'CANCELLED', 'ACCEPTED', 'PLACED', 'RIDER_ASSIGNED'];
const allEvents = journeys.flatMap((j) => j.events);
const seeds = [7, 1234, 99_991];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function projectWithSeed(seed: number) {
  const kafka = new KafkaFixture(`converge-${seed}`);
  await kafka.create();
  const rm = await ReadModelHarness.start(testConfig(`converge-${seed}`, { KAFKA_PARTITIONS_CONCURRENCY: '3', PROJECTION_CHUNK_SIZE: '3' }, kafka.topics));
  cleanups.push(async () => {
    await rm.destroy();
    await kafka.destroy();
  });
  const ordered = interleave(allEvents, seed);
  const random = mulberry32(seed + 1);
  for (let i = 0; i < ordered.length; ) {
    const size = 1 + Math.floor(random() * 4);
    await kafka.produce(ordered.slice(i, i + size));
    i += size;
    if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await kafka.waitConsumed(rm.config.kafka.groupId, 30_000);
  const reader = rm.readModel.reader!;
  const ids = (pick: (j: Journey) => string[]) => journeys.flatMap(pick);
  const views = {
    orders: await reader.loadMany('orders', ids((j) => [j.orderId])),
    dispatches: await reader.loadMany('dispatches', ids((j) => [...new Set(j.events.filter((e) => e.aggregateType === 'dispatch').map((e) => e.aggregateId))])),
    deliveries: await reader.loadMany('deliveries', ids((j) => [...new Set(j.events.filter((e) => e.aggregateType === 'delivery').map((e) => e.aggregateId))])),
  };
  for (const result of [...views.orders, ...views.dispatches, ...views.deliveries]) {
    expect(result === null || result instanceof Error ? 'missing' : result.source).not.toMatch(/missing|fallback/);
  }
  const stored = await rm.db
    .collection('orders_gen1')
    .find({}, { projection: { rev: 0 } })
    .sort({ _id: 1 })
    .toArray();
  const bodies = Object.fromEntries(Object.entries(views).map(([name, results]) => [name, results.map((r) => (r && 'view' in r ? r.view : r))]));
  return { views: bodies, stored, ordered };
}

describe('convergence', () => {
  it(`given the same events interleaved with seeds ${seeds.join(', ')} when projected then identical views and stages`, async () => {
    const runs = [];
    for (const seed of seeds) runs.push(await projectWithSeed(seed));
    // The interleavings really differ.
    expect(new Set(runs.map((r) => r.ordered.map((e) => e.eventId).join())).size).toBe(seeds.length);
    const [first, ...others] = runs;
    expect(first!.views['orders']!.map((view) => (view as { stage: string }).stage)).toEqual(expectedStages);
    for (const other of others) {
      expect(other.views).toEqual(first!.views);
      expect(other.stored).toEqual(first!.stored);
    }
  });
});
