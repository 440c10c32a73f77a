import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kafkaBrokers, mongoUrl, redisUrl } from '@delivery/infra';
import { eventually, freePort } from '@delivery/test-support';
import { Journey } from './support/journey.ts';
import { KafkaFixture } from './support/kafkaFixture.ts';
import { isolatedNames, ReadModelHarness, testConfig } from './support/readModelHarness.ts';

/** Each profile started alone does what it says and nothing else. */
const kafka = new KafkaFixture('profiles');
const shared = isolatedNames('profiles');
let consumerOnly: ReadModelHarness;
let apiOnly: ReadModelHarness;
const apiGroup = `${shared.KAFKA_GROUP_ID}-api`;

async function groupMembers(groupId: string): Promise<number> {
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await kafka.create();
  // Both share one database and Redis prefix: the consumer writes, the api reads.
  consumerOnly = await ReadModelHarness.start(testConfig('profiles', { ...shared, READ_MODEL_PROFILE: 'consumer' }, kafka.topics));
  apiOnly = await ReadModelHarness.start(testConfig('profiles', { ...shared, KAFKA_GROUP_ID: apiGroup, READ_MODEL_PROFILE: 'api' }, kafka.topics));
});
afterAll(async () => {
  await apiOnly.close();
  await consumerOnly.destroy();
  await kafka.destroy();
});

describe('consumer profile', () => {
  it('projects events into MongoDB and Redis', async () => {
    const j = Journey.delivered();
    await kafka.produce(j.events);
    await kafka.waitConsumed(shared.KAFKA_GROUP_ID);
    const doc = await consumerOnly.db.collection('orders_gen1').findOne({ _id: j.orderId as never });
    expect(doc?.['stage']).toBe('DELIVERED');
    expect(await consumerOnly.redisKeys()).toContain(`${shared.REDIS_KEY_PREFIX}gen1:orders:${j.orderId}`);
    expect(await groupMembers(shared.KAFKA_GROUP_ID)).toBe(1);
  });

  it('serves only health and metrics: no query API, no OpenAPI document', async () => {
    const projected = () => consumerOnly.metric('read_model_events_total', { topic: kafka.topics.order, outcome: 'projected' });
    const projectedBefore = await projected();
    const j = new Journey().place();
    await kafka.produce(j.events);
    await kafka.waitConsumed(shared.KAFKA_GROUP_ID);
    const view = await consumerOnly.get(`/api/v1/orders/${j.orderId}`);
    expect(view.status).toBe(404);
    expect(view.body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect((await consumerOnly.get('/openapi.json')).status).toBe(404);
    expect((await consumerOnly.get('/health/live')).status).toBe(200);
    await eventually(async () => ((await consumerOnly.get('/health/ready')).status === 200 ? true : undefined));
    expect(await projected()).toBe(projectedBefore + 1); // the one OrderPlaced, counted before its offset was committed
  });
});

describe('api profile', () => {
  it('serves views written by the consumer profile', async () => {
    const j = Journey.delivered();
    await kafka.produce(j.events);
    await kafka.waitConsumed(shared.KAFKA_GROUP_ID);
    const res = await apiOnly.get(`/api/v1/orders/${j.orderId}`);
    expect(res.status).toBe(200);
    expect(['cache', 'store']).toContain(res.source);
    expect(res.body.stage).toBe('DELIVERED');
    expect((await apiOnly.get('/openapi.json')).body).toMatchObject({ openapi: '3.1.0' });
  });

  it('joins no consumer group and projects nothing', async () => {
    expect(await groupMembers(apiGroup)).toBe(0);
    expect(await apiOnly.metric('read_model_events_total')).toBe(0);
    expect(await apiOnly.metric('read_model_consumer_restarts_total')).toBe(0);
    expect((await apiOnly.get('/health/ready')).status).toBe(200);
  });
});

describe('main.ts', () => {
  it('runs from the environment and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(import.meta.dirname, '../src/main.ts')], {
      env: {
        ...process.env,
        NODE_OPTIONS: '--conditions=source --disable-warning=ExperimentalWarning',
        PORT: String(port),
        READ_MODEL_PROFILE: 'api',
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: kafkaBrokers().join(','),
        MONGO_URL: mongoUrl(),
        REDIS_URL: redisUrl(),
        ...isolatedNames('profiles-main'),
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const live = await eventually(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health/live`);
        return res.status === 200 ? res : undefined;
      }, 20_000);
      expect(await live.json()).toEqual({ status: 'UP' });
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/orders/not-a-uuid`)).status).toBe(400);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
