import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hostPortOf, redisUrl } from '@delivery/infra';
import { eventually } from '@delivery/test-support';
import { Journey } from './support/journey.ts';
import type { KafkaFixture } from './support/kafkaFixture.ts';
import { startSuite, type ReadModelHarness, type Suite } from './support/readModelHarness.ts';
import { TcpProxy } from './support/tcpProxy.ts';

/**
 * Redis unreachable from the read model (a partition: Redis keeps its old entries): the
 * consumer keeps writing MongoDB, reads answer from MongoDB without errors, and once Redis
 * is reachable again the possibly stale entries are dropped before Redis serves reads.
 */
const proxy = new TcpProxy(hostPortOf(redisUrl(), 6379));
let suite: Suite;
let kafka: KafkaFixture;
let rm: ReadModelHarness;

beforeAll(async () => {
  const port = await proxy.listen();
  suite = await startSuite('cache-outage', { REDIS_URL: `redis://127.0.0.1:${port}` });
  ({ kafka, rm } = suite);
});
afterAll(async () => {
  await suite.destroy();
  await proxy.close();
});

describe('Redis outage', () => {
  it('given cached views when Redis is unreachable then reads come from MongoDB and stale entries are dropped before Redis serves again', async () => {
    const j = new Journey().place();
    await kafka.produce(j.events);
    await eventually(async () => {
      const res = await rm.get(`/api/v1/orders/${j.orderId}`);
      return res.source === 'cache' ? res : undefined;
    });
    const key = `${rm.config.redis.keyPrefix}gen1:orders:${j.orderId}`;
    await rm.redisKeys();
    expect(await rm.redis.get(key)).toContain('"status":"PLACED"');
    const failuresBefore = await rm.metric('read_model_cache_write_failures_total');
    const purgedBefore = await rm.metric('read_model_cache_purged_keys_total');

    proxy.cut();
    const sent = j.events.length;
    j.accept();
    await kafka.produce(j.from(sent));
    await kafka.waitConsumed(rm.config.kafka.groupId);
    const during = await rm.get(`/api/v1/orders/${j.orderId}`);
    expect([during.status, during.source, during.body.status]).toEqual([200, 'store', 'ACCEPTED']);
    // Redis itself still holds the old copy: serving it now would be a stale read.
    expect(await rm.redis.get(key)).toContain('"status":"PLACED"');
    // One batch (the OrderAccepted) failed its one cache write, fencing one key: the order's view.
    expect(await rm.metric('read_model_cache_write_failures_total')).toBe(failuresBefore + 1);

    proxy.restore();
    const served = new Set<string>();
    await eventually(async () => {
      const res = await rm.get(`/api/v1/orders/${j.orderId}`);
      served.add(`${res.source}:${res.body.status}`);
      return res.source === 'cache' ? res : undefined;
    });
    expect([...served].filter((s) => s.endsWith('PLACED'))).toEqual([]);
    expect(served).toContain('cache:ACCEPTED');
    expect(await rm.redis.get(key)).toContain('"status":"ACCEPTED"');
    // The view's key, and the order list index's marker and epoch (the index is rebuilt).
    expect(await rm.metric('read_model_cache_purged_keys_total')).toBe(purgedBefore + 3);
  });

  it('given Redis hanging (no disconnect) when the cache write times out then the entry is purged once Redis answers, without a new batch', async () => {
    const j = new Journey().place();
    await kafka.produce(j.events);
    await eventually(async () => ((await rm.get(`/api/v1/orders/${j.orderId}`)).source === 'cache' ? true : undefined));
    const key = `${rm.config.redis.keyPrefix}gen1:orders:${j.orderId}`;
    const failuresBefore = await rm.metric('read_model_cache_write_failures_total');
    const purgedBefore = await rm.metric('read_model_cache_purged_keys_total');

    proxy.stall();
    const sent = j.events.length;
    j.accept();
    await kafka.produce(j.from(sent));
    await eventually(async () => ((await rm.metric('read_model_cache_write_failures_total')) > failuresBefore ? true : undefined));
    const during = await rm.get(`/api/v1/orders/${j.orderId}`);
    expect([during.status, during.source, during.body.status]).toEqual([200, 'store', 'ACCEPTED']);

    proxy.restore();
    await eventually(async () => ((await rm.metric('read_model_cache_purged_keys_total')) > purgedBefore ? true : undefined), 10_000);
    const after = await eventually(async () => {
      const res = await rm.get(`/api/v1/orders/${j.orderId}`);
      expect(res.body.status).toBe('ACCEPTED');
      return res.source === 'cache' ? res : undefined;
    });
    expect(after.body.version).toBe(2);
    expect(await rm.redis.get(key)).not.toContain('"status":"PLACED"');
    // One timed-out write, one view key fenced and dropped (with the order list index's marker and epoch).
    expect(await rm.metric('read_model_cache_write_failures_total')).toBe(failuresBefore + 1);
    expect(await rm.metric('read_model_cache_purged_keys_total')).toBe(purgedBefore + 3);
  });
});
