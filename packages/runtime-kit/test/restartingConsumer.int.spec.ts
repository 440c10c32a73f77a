import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { kafkaBrokers } from '@delivery/infra';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { createLogger, RestartingConsumer, type RestartingConsumerOptions, type RetryPolicy } from '../src/index.ts';

/** Against the real Kafka: a topic and consumer groups of this suite's own. */
const kafka = new Kafka({ clientId: 'restarting-consumer-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer();
const topic = `test-restarting-consumer-${randomUUID()}`;
const logger = createLogger('restarting-consumer-test', 'silent');
const FAST: RetryPolicy = { retries: Number.POSITIVE_INFINITY, initialDelayMs: 50, maxDelayMs: 200, factor: 2 };
const started: RestartingConsumer[] = [];

function start(options: Partial<RestartingConsumerOptions> & Pick<RestartingConsumerOptions, 'run' | 'joinedAfter'>): RestartingConsumer {
  const consumer = new RestartingConsumer({
    kafka,
    config: { groupId: `test-restarting-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 },
    backoff: FAST,
    logger,
    name: 'test consumer',
    ...options,
  });
  started.push(consumer);
  consumer.start();
  return consumer;
}

/** A port nothing listens on: bound by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await producer.connect();
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((consumer) => consumer.stop()));
});
afterAll(async () => {
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('RestartingConsumer', () => {
  it('given a consumer that crashes on a message when it is restarted then a new consumer rejoins and reads the message again', async () => {
    const value = randomUUID();
    await producer.send({ topic, messages: [{ value }] });
    const readBy: Consumer[] = [];
    const readAgain = Promise.withResolvers<true>();
    let restarts = 0;
    const group = start({
      // kafkajs retries the failing handler once, then crashes the consumer.
      config: { groupId: `test-restarting-${randomUUID()}`, maxWaitTimeInMs: 100, retry: { retries: 1, initialRetryTime: 100 } },
      joinedAfter: 'groupJoin',
      onRestart: () => restarts++,
      run: async (consumer) => {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() !== value) return;
            readBy.push(consumer);
            if (consumer === readBy[0]) throw new Error('the first consumer fails on this message');
            readAgain.resolve(true);
          },
        });
      },
    });

    await readAgain.promise;
    expect(restarts).toBeGreaterThanOrEqual(1);
    const [first, last] = [readBy[0], readBy.at(-1)];
    expect(last).not.toBe(first);
    expect(group.current()).toBe(last);
    await group.whenJoined();
    expect(group.isJoined()).toBe(true);
  });

  it('given Kafka unreachable when started then the start is retried with backoff until stopped', async () => {
    const unreachable = new Kafka({
      clientId: 'restarting-consumer-test-unreachable',
      brokers: [`127.0.0.1:${await closedPort()}`],
      connectionTimeout: 200,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const retriedTwice = Promise.withResolvers<true>();
    let restarts = 0;
    let runs = 0;
    const group = start({
      kafka: unreachable,
      joinedAfter: 'groupJoin',
      onRestart: () => {
        if (++restarts === 2) retriedTwice.resolve(true);
      },
      run: async () => {
        runs++;
      },
    });

    await retriedTwice.promise;
    await group.stop();
    expect(runs).toBe(0);
    expect(group.isJoined()).toBe(false);
    expect(group.current()).toBeUndefined();
  });

  it('given joinedAfter firstFetch and a new group at the end of the topic when it has joined then the next message is read', async () => {
    await producer.send({ topic, messages: [{ value: `before-${randomUUID()}` }] });
    const value = randomUUID();
    const read = Promise.withResolvers<true>();
    const values: string[] = [];
    const group = start({
      joinedAfter: 'firstFetch',
      run: async (consumer) => {
        await consumer.subscribe({ topic, fromBeginning: false });
        await consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (message.value?.toString() === value) read.resolve(true);
          },
        });
      },
    });

    await group.whenJoined();
    await producer.send({ topic, messages: [{ value }] });
    await read.promise;
    expect(values).toEqual([value]);
  });
});
