// Each component answers with the client the platform uses. Assumes the infrastructure is
// up (jest's globalSetup runs ensureInfrastructure()).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, Partitioners, logLevel, type Consumer } from 'kafkajs';
import { Redis } from 'ioredis';
import { MongoBulkWriteError, MongoClient, MongoServerError, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { kafkaBrokers, mongoUrl, redisUrl } from '../src/index.ts';

const runId = randomUUID().slice(0, 8);

describe('kafka', () => {
  const kafka = new Kafka({ clientId: 'infra-smoke', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const topic = `infra-smoke-${runId}`;
  const admin = kafka.admin();
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('given a created topic when a message is produced then a consumer reads it', async () => {
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'order-1', value: 'hello' }] });
    await producer.disconnect();

    consumer = kafka.consumer({ groupId: `infra-smoke-${runId}`, sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<string>((resolve) => {
      void consumer?.run({
        eachMessage: ({ message }) => {
          resolve(`${message.key?.toString()}=${message.value?.toString()}`);
          return Promise.resolve();
        },
      });
    });
    await expect(received).resolves.toBe('order-1=hello');
  }, 30_000);
});

describe('redis', () => {
  const redis = new Redis(redisUrl(), { lazyConnect: true });
  afterAll(() => redis.quit());

  it('given a key is set when it is read then its value comes back', async () => {
    const key = `infra-smoke:${runId}`;
    await redis.set(key, 'value', 'EX', 60);
    await expect(redis.get(key)).resolves.toBe('value');
    await redis.del(key);
  });
});

describe('mongo (mongo-java-server stand-in)', () => {
  interface View {
    _id: string;
    version: number;
    status: string;
  }
  const client = new MongoClient(mongoUrl());
  let views: Collection<View>;

  /** The projections' idiom: apply version n only over an older version, else E11000. */
  const guardedUpsert = (view: View): AnyBulkWriteOperation<View> => ({
    updateOne: {
      filter: { _id: view._id, version: { $lt: view.version } },
      update: { $set: { version: view.version, status: view.status } },
      upsert: true,
    },
  });

  beforeAll(async () => {
    await client.connect();
    views = client.db('infra_smoke').collection<View>(`views_${runId}`);
  });

  afterAll(async () => {
    await views.drop().catch(() => {});
    await client.close();
  });

  it('given a document when it is inserted, found and upserted then each answers as in MongoDB', async () => {
    await views.insertOne({ _id: 'a', version: 1, status: 'PLACED' });
    await expect(views.findOne({ _id: 'a' })).resolves.toEqual({ _id: 'a', version: 1, status: 'PLACED' });

    const result = await views.updateOne({ _id: 'b' }, { $set: { version: 1, status: 'PLACED' } }, { upsert: true });
    expect(result.upsertedId).toBe('b');
    await expect(views.countDocuments()).resolves.toBe(2);
  });

  it('given version 3 when version 2 arrives then E11000 and the document is unchanged', async () => {
    await views.insertOne({ _id: 'g', version: 3, status: 'ACCEPTED' });

    const stale = views.updateOne({ _id: 'g', version: { $lt: 2 } }, { $set: { version: 2, status: 'PLACED' } }, { upsert: true });
    const error: unknown = await stale.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(11000);
    await expect(views.findOne({ _id: 'g' })).resolves.toEqual({ _id: 'g', version: 3, status: 'ACCEPTED' });

    await views.updateOne({ _id: 'g', version: { $lt: 4 } }, { $set: { version: 4, status: 'CANCELLED' } }, { upsert: true });
    await expect(views.findOne({ _id: 'g' })).resolves.toEqual({ _id: 'g', version: 4, status: 'CANCELLED' });
  });

  it('given 1,000 guarded upserts with 100 stale when bulk-written unordered then only the stale fail', async () => {
    // d0..d199 exist at version 5; the batch brings version 3 (stale) to d0..d99,
    // version 7 to d100..d199 and version 1 to the new d200..d999.
    await views.insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: `d${i}`, version: 5, status: 'SEEDED' })));
    const versionFor = (i: number): number => (i < 100 ? 3 : i < 200 ? 7 : 1);
    const operations = Array.from({ length: 1_000 }, (_, i) => guardedUpsert({ _id: `d${i}`, version: versionFor(i), status: 'BATCH' }));

    const error: unknown = await views.bulkWrite(operations, { ordered: false }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const writeErrors = [(error as MongoBulkWriteError).writeErrors].flat();
    expect(writeErrors).toHaveLength(100);
    expect(writeErrors.every((writeError) => writeError.code === 11000)).toBe(true);
    await expect(views.countDocuments({ _id: { $regex: '^d' }, version: 5, status: 'SEEDED' })).resolves.toBe(100);
    await expect(views.countDocuments({ version: 7, status: 'BATCH' })).resolves.toBe(100);
    await expect(views.countDocuments({ version: 1, status: 'BATCH' })).resolves.toBe(800);
  }, 30_000);
});
