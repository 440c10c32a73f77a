import { hostname } from 'node:os';
import { DEAD_LETTER_TOPIC, EVENT_TOPICS } from '@delivery/contracts';
import { DEFAULT_BREAKER, env, readConfig, type BreakerSettings } from '@delivery/runtime-kit';
import { z } from 'zod';

export const PROFILES = ['full', 'consumer', 'api'] as const;
export type Profile = (typeof PROFILES)[number];

/** The Kafka topics the consumer reads and the one it parks poison messages in. */
export interface TopicNames {
  order: string;
  dispatch: string;
  delivery: string;
  deadLetter: string;
}


export const CONTRACT_TOPICS: TopicNames = Object.freeze({ ...EVENT_TOPICS, deadLetter: DEAD_LETTER_TOPIC });

/**
 * Everything the read model reads from its environment, once, at boot. The object is deep
 * frozen; tests build one with `readModelConfig({...})` with their own group id, database,
 * Redis prefix and topics, so that suites running at the same time never collide.
 */
const shape = {
  PORT: env.port(8084),
  /** Public reads (REST, /graphql): every interface by default (docs/decisions/listen-addresses.md). */
  HOST: env.host('0.0.0.0'),
  READ_MODEL_PROFILE: z.enum(PROFILES).default('full'),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  KAFKA_GROUP_ID: z.string().min(1).default('read-model'),
  KAFKA_CLIENT_ID: z.string().min(1).default('read-model'),
  /** Topic names default to the contract's; another environment may prefix them. */
  ORDER_TOPIC: z.string().min(1).default(CONTRACT_TOPICS.order),
  DISPATCH_TOPIC: z.string().min(1).default(CONTRACT_TOPICS.dispatch),
  DELIVERY_TOPIC: z.string().min(1).default(CONTRACT_TOPICS.delivery),
  DEAD_LETTER_TOPIC: z.string().min(1).default(CONTRACT_TOPICS.deadLetter),
  KAFKA_SESSION_TIMEOUT_MS: env.millis(10_000),
  /** Partitions whose batches are projected at the same time. */
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(3),
  /** Events per MongoDB bulk write; a larger fetched batch is projected in chunks of this size. */
  PROJECTION_CHUNK_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  MONGO_URL: z.string().min(1).default('mongodb://127.0.0.1:27017'),
  MONGO_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('read_model'),
  /** Deadline of one read from MongoDB on the query path (the AbortSignal cancels it). */
  MONGO_READ_TIMEOUT_MS: env.millis(1000),
  MONGO_SERVER_SELECTION_TIMEOUT_MS: env.millis(2000),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().max(64).default('rm:'),
  REDIS_COMMAND_TIMEOUT_MS: env.millis(500),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
  ORDER_URL: env.url('http://127.0.0.1:8081'),
  DISPATCH_URL: env.url('http://127.0.0.1:8082'),
  DELIVERY_URL: env.url('http://127.0.0.1:8083'),
  FALLBACK_TIMEOUT_MS: env.millis(1000),
  FALLBACK_BREAKER_VOLUME: z.coerce.number().int().min(1).default(DEFAULT_BREAKER.volumeThreshold),
  FALLBACK_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  FALLBACK_BREAKER_RESET_MS: env.millis(10_000),
  /** Whether a view missing from MongoDB is looked up at its write service (projection lag). */
  FALLBACK_ON_MISS: env.flag(true),
  FALLBACK_MAX_PER_REQUEST: z.coerce.number().int().min(1).max(1000).default(25),
  FALLBACK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  FALLBACK_QUEUE: z.coerce.number().int().min(0).max(10_000).default(64),
  FALLBACK_NEGATIVE_TTL_MS: env.millis(2000),
  /** How often the active collection set and the cache fence are re-read from MongoDB. */
  META_REFRESH_MS: env.millis(1000),
  LAG_POLL_MS: env.millis(5000),
  /** How often the consumer checks that the order list index in Redis is complete (and backfills it). */
  LIST_INDEX_CHECK_MS: env.millis(5000),
  /** Schema introspection and "Did you mean…" suggestions: off unless asked for (`npm start` asks). */
  GRAPHQL_INTROSPECTION: env.flag(false),
  /**
   * Per-operation limits (docs/security.md). Defaults leave a margin over the heaviest
   * legitimate query, test/fixtures/operationsDashboard.graphql. Tokens are capped at 2000:
   * parsing and validation recurse once per nesting level, and the cheapest nesting (a list
   * value, 2 tokens a level) exhausts Node's stack at about 4,700 tokens.
   */
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(1).max(2000).default(1000),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(50),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(10),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(500),
};

export type ReadModelEnv = Partial<Record<keyof typeof shape, string>>;

/** What the GraphQL endpoint allows one operation (graphqlLimits.ts applies it). */
export interface GraphQLSettings {
  introspection: boolean;
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
}

export interface ReadModelConfig {
  port: number;
  /** Listen address (`HOST`, default 0.0.0.0: clients send their queries here directly). */
  host: string;
  profile: Profile;
  logLevel: string;
  kafka: {
    brokers: string[];
    groupId: string;
    clientId: string;
    sessionTimeoutMs: number;
    partitionsConcurrency: number;
    topics: TopicNames;
  };
  projection: { chunkSize: number };
  mongo: { url: string; database: string; readTimeoutMs: number; serverSelectionTimeoutMs: number };
  redis: { url: string; keyPrefix: string; commandTimeoutMs: number; ttlSeconds: number };
  fallback: {
    urls: { order: string; dispatch: string; delivery: string };
    breaker: BreakerSettings;
    onMiss: boolean;
    /** Ids one request may look up in the write services; beyond it, field errors / 503 naming the cap. */
    maxPerRequest: number;
    /** Calls in flight per write service, and calls waiting for a slot; beyond that, refused at once. */
    bulkhead: { concurrency: number; queue: number };
    /** How long an id the owner answered 404 for is answered as unknown without asking again. */
    negativeTtlMs: number;
  };
  graphql: GraphQLSettings;
  metaRefreshMs: number;
  lagPollMs: number;
  listIndexCheckMs: number;
  /** Names this process in the cache fence (hostname, pid and a random tail). */
  instanceId: string;
}

/** Reads the environment (or the given variables) into a frozen configuration. */
export function readModelConfig(variables: NodeJS.ProcessEnv | ReadModelEnv = process.env): Readonly<ReadModelConfig> {
  const e = readConfig(shape, variables as NodeJS.ProcessEnv);
  const config: ReadModelConfig = {
    port: e.PORT,
    host: e.HOST,
    profile: e.READ_MODEL_PROFILE,
    logLevel: e.LOG_LEVEL,
    kafka: {
      brokers: [...e.KAFKA_BROKERS],
      groupId: e.KAFKA_GROUP_ID,
      clientId: e.KAFKA_CLIENT_ID,
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      partitionsConcurrency: e.KAFKA_PARTITIONS_CONCURRENCY,
      topics: {
        order: e.ORDER_TOPIC,
        dispatch: e.DISPATCH_TOPIC,
        delivery: e.DELIVERY_TOPIC,
        deadLetter: e.DEAD_LETTER_TOPIC,
      },
    },
    projection: { chunkSize: e.PROJECTION_CHUNK_SIZE },
    mongo: {
      url: e.MONGO_URL,
      database: e.MONGO_DATABASE,
      readTimeoutMs: e.MONGO_READ_TIMEOUT_MS,
      serverSelectionTimeoutMs: e.MONGO_SERVER_SELECTION_TIMEOUT_MS,
    },
    redis: {
      url: e.REDIS_URL,
      keyPrefix: e.REDIS_KEY_PREFIX,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      ttlSeconds: e.CACHE_TTL_SECONDS,
    },
    fallback: {
      urls: { order: e.ORDER_URL, dispatch: e.DISPATCH_URL, delivery: e.DELIVERY_URL },
      breaker: {
        ...DEFAULT_BREAKER,
        timeoutMs: e.FALLBACK_TIMEOUT_MS,
        volumeThreshold: e.FALLBACK_BREAKER_VOLUME,
        errorThresholdPercentage: e.FALLBACK_BREAKER_ERROR_PERCENT,
        resetTimeoutMs: e.FALLBACK_BREAKER_RESET_MS,
      },
      onMiss: e.FALLBACK_ON_MISS,
      maxPerRequest: e.FALLBACK_MAX_PER_REQUEST,
      bulkhead: { concurrency: e.FALLBACK_CONCURRENCY, queue: e.FALLBACK_QUEUE },
      negativeTtlMs: e.FALLBACK_NEGATIVE_TTL_MS,
    },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxCost: e.GRAPHQL_MAX_COST,
    },
    metaRefreshMs: e.META_REFRESH_MS,
    lagPollMs: e.LAG_POLL_MS,
    listIndexCheckMs: e.LIST_INDEX_CHECK_MS,
    instanceId: `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
