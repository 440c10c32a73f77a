import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startComponent, stopComponent } from '@delivery/infra';
import { eventually } from '@delivery/test-support';
import { Journey } from './support/journey.ts';
import type { KafkaFixture } from './support/kafkaFixture.ts';
import { startSuite, type ReadModelHarness, type Suite } from './support/readModelHarness.ts';

/**
 * MongoDB stops while events keep arriving: the consumer pauses (offsets stay uncommitted),
 * retries with backoff, and once MongoDB is back every event is projected. Stops shared
 * infrastructure: runs alone (*.fault.int.spec.ts) and restarts MongoDB in afterAll.
 */
let suite: Suite;
let kafka: KafkaFixture;
let rm: ReadModelHarness;

beforeAll(async () => {
  suite = await startSuite('store-outage', { MONGO_SERVER_SELECTION_TIMEOUT_MS: '1000' });
  ({ kafka, rm } = suite);
}, 60_000);
afterAll(async () => {
  await startComponent('mongo');
  await suite.destroy();
}, 60_000);

describe('MongoDB outage', () => {
  it('given MongoDB stopped when events arrive then the consumer pauses and projects them all after MongoDB returns', async () => {
    const before = Array.from({ length: 5 }, () => Journey.delivered());
    await kafka.produce(before.flatMap((j) => j.events));
    await kafka.waitConsumed(rm.config.kafka.groupId);
    const cachedBefore = await eventually(async () => {
      const res = await rm.get(`/api/v1/orders/${before[0]!.orderId}`);
      return res.source === 'cache' ? res : undefined;
    });

    await stopComponent('mongo');
    const during = Array.from({ length: 5 }, () => Journey.delivered());
    await kafka.produce(during.flatMap((j) => j.events));
    await eventually(async () => ((await rm.metric('read_model_consumer_pauses_total')) >= 2 ? true : undefined), 30_000);
    // Nothing is committed past what was stored.
    await expect(kafka.waitConsumed(rm.config.kafka.groupId, 2000)).rejects.toThrow(/behind/);
    // Cached views still answer while the store is down.
    const cached = await rm.get(`/api/v1/orders/${before[0]!.orderId}`);
    expect([cached.status, cached.source, cached.body]).toEqual([200, 'cache', cachedBefore.body]);

    await startComponent('mongo');
    await kafka.waitConsumed(rm.config.kafka.groupId, 60_000);
    for (const j of [...before, ...during]) {
      const res = await eventually(async () => {
        const r = await rm.get(`/api/v1/orders/${j.orderId}`);
        return r.status === 200 ? r : undefined;
      });
      expect(res.body).toMatchObject({ stage: 'DELIVERED', delivery: { status: 'DELIVERED', location: { lat: 37.501 } } });
    }
    expect(await rm.metric('read_model_consumer_paused')).toBe(0);
    expect(await rm.metric('read_model_events_total', { outcome: 'dead_lettered' })).toBe(0);
  }, 120_000);
});
