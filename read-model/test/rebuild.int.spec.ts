import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@delivery/runtime-kit';
import { eventually } from '@delivery/test-support';
import { rebuildViews } from '../src/consumer/index.ts';
import { Journey } from './support/journey.ts';
import type { KafkaFixture } from './support/kafkaFixture.ts';
import { startSuite, type ReadModelHarness, type Suite } from './support/readModelHarness.ts';

/**
 * `read-model:rebuild` while the service runs: the replay fills the next generation, the
 * pointer moves, the live service follows it, and events arriving meanwhile are not lost.
 */
let suite: Suite;
let kafka: KafkaFixture;
let rm: ReadModelHarness;

beforeAll(async () => {
  suite = await startSuite('rebuild');
  ({ kafka, rm } = suite);
});
afterAll(() => suite.destroy());

const delivered = (id: string) =>
  eventually(async () => {
    const res = await rm.get(`/api/v1/orders/${id}`);
    return res.status === 200 && res.body.stage === 'DELIVERED' ? res : undefined;
  });

describe('rebuild', () => {
  it('given damaged views when rebuilt under load then a fresh generation replaces them and nothing is lost', async () => {
    const before = Array.from({ length: 4 }, () => Journey.delivered());
    await kafka.produce(before.flatMap((j) => j.events));
    await kafka.waitConsumed(rm.config.kafka.groupId);
    const original = (await delivered(before[1]!.orderId)).body;

    // Damage: one view lost, one with a wrong stage, and the cache emptied.
    await rm.db.collection('orders_gen1').deleteOne({ _id: before[0]!.orderId as never });
    await rm.db.collection('orders_gen1').updateOne({ _id: before[1]!.orderId as never }, { $set: { stage: 'PLACED' } });
    const keys = await rm.redisKeys();
    if (keys.length > 0) await rm.redis.unlink(...keys);
    expect((await rm.get(`/api/v1/orders?stage=DELIVERED&limit=100`)).body.items).toHaveLength(2);

    const during = Array.from({ length: 3 }, () => Journey.delivered());
    const logger = createLogger('rebuild-test', 'silent');
    const rebuilding = rebuildViews(rm.config, logger, { graceMs: 1500, timeoutMs: 60_000 });
    for (const j of during) {
      await kafka.produce(j.events);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const result = await rebuilding;
    expect(result).toMatchObject({ from: 1, to: 2 });
    expect(result.events).toBeGreaterThanOrEqual(before.length * 9);
    expect(result.dropped.sort()).toEqual(['deliveries_gen1', 'dispatches_gen1', 'orders_gen1']);

    const after = Array.from({ length: 2 }, () => Journey.delivered());
    await kafka.produce(after.flatMap((j) => j.events));
    await kafka.waitConsumed(rm.config.kafka.groupId);
    for (const j of [...before, ...during, ...after]) await delivered(j.orderId);
    expect((await delivered(before[1]!.orderId)).body).toEqual(original);
    const list = await rm.get(`/api/v1/orders?stage=DELIVERED&limit=100`);
    expect(list.body.items).toHaveLength(before.length + during.length + after.length);
    expect(await rm.db.collection('read_model_meta').findOne({ _id: 'active-generation' as never })).toMatchObject({ generation: 2 });
    expect(await rm.redisKeys()).not.toContainEqual(expect.stringContaining('gen1:'));

    const admin = kafka.kafka.admin();
    await admin.connect();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    await admin.disconnect();
    expect(groups).not.toContain(result.groupId);
  }, 120_000);
});
