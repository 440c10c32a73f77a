import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startComponent, stopComponent } from '@delivery/infra';
import { eventually } from '@delivery/test-support';
import { Journey } from './support/journey.ts';
import type { KafkaFixture } from './support/kafkaFixture.ts';
import { startSuite, type ReadModelHarness, type Suite } from './support/readModelHarness.ts';

/**
 * Kafka stops under a running consumer: kafkajs gives up and crashes, the CRASH listener
 * keeps rebuilding the consumer with backoff, and once Kafka is back the group rejoins and
 * projects what was produced before and after. Stops shared infrastructure: runs alone and
 * restarts Kafka in afterAll.
 */
let suite: Suite;
let kafka: KafkaFixture;
let rm: ReadModelHarness;

beforeAll(async () => {
  suite = await startSuite('kafka-outage');
  ({ kafka, rm } = suite);
}, 60_000);
afterAll(async () => {
  await startComponent('kafka');
  await suite.destroy();
}, 60_000);

describe('Kafka outage', () => {
  it('given Kafka stopped under the consumer when it returns then the consumer restarts and projects everything', async () => {
    const before = Array.from({ length: 3 }, () => Journey.delivered());
    await kafka.produce(before.flatMap((j) => j.events));
    await kafka.waitConsumed(rm.config.kafka.groupId);
    const restartsBefore = await rm.metric('read_model_consumer_restarts_total');

    await stopComponent('kafka');
    await eventually(async () => ((await rm.metric('read_model_consumer_restarts_total')) > restartsBefore ? true : undefined), { timeoutMs: 90_000, intervalMs: 500 });
    // The views stay readable while Kafka is away.
    expect((await rm.get(`/api/v1/orders/${before[0]!.orderId}`)).status).toBe(200);

    await startComponent('kafka');
    const after = Array.from({ length: 3 }, () => Journey.delivered());
    await kafka.produce(after.flatMap((j) => j.events));
    await kafka.waitConsumed(rm.config.kafka.groupId, 90_000);
    for (const j of [...before, ...after]) {
      const res = await eventually(async () => {
        const r = await rm.get(`/api/v1/orders/${j.orderId}`);
        return r.status === 200 && r.body.stage === 'DELIVERED' ? r : undefined;
      });
      expect(res.body.delivery).toMatchObject({ status: 'DELIVERED' });
    }
    expect(rm.readModel.consumer!.isJoined()).toBe(true);
  }, 240_000);
});
