import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { kafkaBrokers, waitFor } from '@delivery/infra';
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

describe('RestartingConsumer with commitIntervalMs (offsets committed on a timer)', () => {
  const committedOffset = async (groupId: string) => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(entry?.partitions.find((p) => p.partition === 0)?.offset ?? '-1');
  };
  const endOffset = async () => Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)?.high ?? '0');

  /** A member of a new group that starts at the topic's end and marks every message it reads as processed. */
  const member = (commitIntervalMs: number, seen: string[], onCommit?: () => void) => {
    const groupId = `test-commits-${randomUUID()}`;
    const group: RestartingConsumer = start({
      config: { groupId, maxWaitTimeInMs: 100 },
      joinedAfter: 'firstFetch',
      commitIntervalMs,
      run: async (consumer) => {
        if (onCommit) consumer.on(consumer.events.COMMIT_OFFSETS, onCommit);
        await consumer.subscribe({ topic, fromBeginning: false });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic: from, partition, message }) => {
            seen.push(message.value?.toString() ?? '');
            group.processed(from, partition, message.offset);
          },
        });
      },
    });
    return { group, groupId };
  };

  it('given messages read one by one then they are committed a few times a second, not once each, and the group catches up while idle', async () => {
    const seen: string[] = [];
    let commits = 0;
    const { group, groupId } = member(500, seen, () => commits++);
    await group.whenJoined();
    const startedAt = performance.now();
    // Each message its own fetch (sent once the one before it is read): kafkajs' autoCommit would commit 20 times.
    for (let i = 0; i < 20; i++) {
      const value = `one-by-one-${i}-${randomUUID()}`;
      await producer.send({ topic, messages: [{ value }] });
      await eventually(() => seen.includes(value), 'the message to be read');
    }
    const end = await endOffset();
    await eventually(async () => (await committedOffset(groupId)) === end, 'the group to commit up to the end while idle');
    const elapsedS = (performance.now() - startedAt) / 1000;
    expect(commits).toBeLessThanOrEqual(Math.ceil(elapsedS / 0.5) + 2);
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(20);
  });

  it('given processed offsets not committed yet when the consumer stops then they are committed before it leaves the group', async () => {
    const seen: string[] = [];
    // No periodic commit within the test: only the one on stop.
    const { group, groupId } = member(600_000, seen);
    await group.whenJoined();
    const values = Array.from({ length: 5 }, (_, i) => `before-stop-${i}-${randomUUID()}`);
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await eventually(() => values.every((value) => seen.includes(value)), 'the messages to be read');
    const end = await endOffset();
    expect(await committedOffset(groupId)).toBeLessThan(end);
    await group.stop();
    expect(await committedOffset(groupId)).toBe(end);
  });
});

async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  if (!(await waitFor(condition, 20_000, 20))) throw new Error(`timed out waiting for ${what}`);
}
