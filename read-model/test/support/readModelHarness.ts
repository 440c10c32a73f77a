import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { kafkaBrokers, mongoUrl, redisUrl } from '@delivery/infra';
import { metricValue } from '@delivery/test-support';
import { readModelConfig, startReadModel, type ReadModel, type ReadModelConfig, type TopicNames } from '../../src/index.ts';
import type { ReadModelEnv } from '../../src/config/index.ts';
import type { ReadModelOverrides } from '../../src/readModel.ts';
import { KafkaFixture } from './kafkaFixture.ts';

/** A suite's own names: consumer group, MongoDB database, Redis prefix. */
export function isolatedNames(suite: string) {
  const tail = randomUUID().slice(0, 8);
  return {
    KAFKA_GROUP_ID: `rmtest-${suite}-${tail}`,
    MONGO_DATABASE: `rmtest_${suite.replaceAll('-', '_')}_${tail}`,
    REDIS_KEY_PREFIX: `rmtest:${suite}:${tail}:`,
  };
}

export function topicEnv(topics: TopicNames): ReadModelEnv {
  return { ORDER_TOPIC: topics.order, DISPATCH_TOPIC: topics.dispatch, DELIVERY_TOPIC: topics.delivery, DEAD_LETTER_TOPIC: topics.deadLetter };
}

export function testConfig(suite: string, env: ReadModelEnv = {}, topics?: TopicNames): Readonly<ReadModelConfig> {
  return readModelConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      MONGO_URL: mongoUrl(),
      REDIS_URL: redisUrl(),
      META_REFRESH_MS: '200',
      LAG_POLL_MS: '1000',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    ...isolatedNames(suite),
    ...(topics ? topicEnv(topics) : {}),
    ...env,
  });
}

/** An in-process read model plus the clients a test uses to look behind it. */
export class ReadModelHarness {
  readonly config: Readonly<ReadModelConfig>;
  readModel!: ReadModel;
  readonly mongo = new MongoClient(mongoUrl(), { serverSelectionTimeoutMS: 5000 });
  readonly redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });

  constructor(config: Readonly<ReadModelConfig>) {
    this.config = config;
  }

  static async start(config: Readonly<ReadModelConfig>, overrides?: ReadModelOverrides): Promise<ReadModelHarness> {
    const harness = new ReadModelHarness(config);
    harness.readModel = await startReadModel(config, overrides);
    return harness;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.readModel.port}`;
  }

  get db() {
    return this.mongo.db(this.config.mongo.database);
  }

  async get(path: string): Promise<{ status: number; source: string | null; body: Json; headers: Headers }> {
    const response = await fetch(this.baseUrl + path);
    const text = await response.text();
    return {
      status: response.status,
      source: response.headers.get('x-read-source'),
      body: text.length > 0 && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text,
      headers: response.headers,
    };
  }

  /** A counter or gauge from /metrics (summed over series matching the labels). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    return metricValue(text, name, labels);
  }

  async redisKeys(): Promise<string[]> {
    if (this.redis.status === 'wait') await this.redis.connect();
    return this.redis.keys(`${this.config.redis.keyPrefix}*`);
  }

  async close(): Promise<void> {
    await this.readModel.close();
  }

  /** Stops the service and removes what it left behind (database, cache keys). */
  async destroy(): Promise<void> {
    await this.readModel.close();
    await this.db.dropDatabase().catch(() => undefined);
    const keys = await this.redisKeys().catch(() => []);
    if (keys.length > 0) await this.redis.unlink(...keys);
    await this.mongo.close();
    this.redis.disconnect();
  }
}

/** A parsed JSON answer; tests read into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions navigate arbitrary JSON
export type Json = any;

/** Fallback URLs of a suite that runs no write service: a miss is then simply not found. */
export const NO_WRITE_SERVICES: ReadModelEnv = {
  ORDER_URL: 'http://127.0.0.1:9',
  DISPATCH_URL: 'http://127.0.0.1:9',
  DELIVERY_URL: 'http://127.0.0.1:9',
};

export interface Suite {
  kafka: KafkaFixture;
  rm: ReadModelHarness;
  destroy(): Promise<void>;
}

/** A suite's own topics and a full-profile read model on them, without write services. */
export async function startSuite(suite: string, env: ReadModelEnv = {}): Promise<Suite> {
  const kafka = new KafkaFixture(suite);
  await kafka.create();
  const rm = await ReadModelHarness.start(testConfig(suite, { ...NO_WRITE_SERVICES, ...env }, kafka.topics));
  return {
    kafka,
    rm,
    destroy: async () => {
      await rm.destroy();
      await kafka.destroy();
    },
  };
}
