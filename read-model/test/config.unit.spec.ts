import { describe, expect, it } from '@jest/globals';
import { DEAD_LETTER_TOPIC, EVENT_TOPICS } from '@delivery/contracts';
import { readModelConfig } from '../src/index.ts';

describe('readModelConfig', () => {
  it('given an empty environment when read then the contract defaults apply', () => {
    const config = readModelConfig({});
    expect(config).toMatchObject({
      port: 8084,
      host: '0.0.0.0',
      profile: 'full',
      kafka: { groupId: 'read-model', brokers: ['127.0.0.1:9092'], topics: { ...EVENT_TOPICS, deadLetter: DEAD_LETTER_TOPIC } },
      mongo: { database: 'read_model' },
      redis: { keyPrefix: 'rm:' },
      fallback: { urls: { order: 'http://127.0.0.1:8081', dispatch: 'http://127.0.0.1:8082', delivery: 'http://127.0.0.1:8083' }, onMiss: true },
    });
    expect(Object.isFrozen(config.kafka.topics)).toBe(true);
  });

  it('given an empty environment when read then the fallback is bounded by default, and the variables change each bound', () => {
    expect(readModelConfig({}).fallback).toMatchObject({ maxPerRequest: 25, bulkhead: { concurrency: 8, queue: 64 }, negativeTtlMs: 2000 });
    expect(readModelConfig({}).listIndexCheckMs).toBe(5000);
    const config = readModelConfig({
      FALLBACK_MAX_PER_REQUEST: '5',
      FALLBACK_CONCURRENCY: '2',
      FALLBACK_QUEUE: '0',
      FALLBACK_NEGATIVE_TTL_MS: '0',
      LIST_INDEX_CHECK_MS: '250',
    });
    expect(config.fallback).toMatchObject({ maxPerRequest: 5, bulkhead: { concurrency: 2, queue: 0 }, negativeTtlMs: 0 });
    expect(config.listIndexCheckMs).toBe(250);
    expect(() => readModelConfig({ FALLBACK_MAX_PER_REQUEST: '0' })).toThrow(/FALLBACK_MAX_PER_REQUEST/);
  });

  it('given an empty environment when read then GraphQL introspection is off and the limits have their defaults', () => {
    expect(readModelConfig({}).graphql).toEqual({ introspection: false, maxTokens: 1000, maxDepth: 10, maxAliases: 50, maxDirectives: 10, maxCost: 500 });
  });

  it('given GraphQL variables when read then introspection and every limit follow them', () => {
    const config = readModelConfig({
      GRAPHQL_INTROSPECTION: 'true',
      GRAPHQL_MAX_TOKENS: '2000',
      GRAPHQL_MAX_DEPTH: '4',
      GRAPHQL_MAX_ALIASES: '3',
      GRAPHQL_MAX_DIRECTIVES: '0',
      GRAPHQL_MAX_COST: '50',
    });
    expect(config.graphql).toEqual({ introspection: true, maxTokens: 2000, maxDepth: 4, maxAliases: 3, maxDirectives: 0, maxCost: 50 });
    expect(Object.isFrozen(config.graphql)).toBe(true);
  });

  it.each([
    ['GRAPHQL_INTROSPECTION', 'yes'],
    // Past 2000 tokens a nested list value could exhaust the parser's stack again.
    ['GRAPHQL_MAX_TOKENS', '2001'],
    ['GRAPHQL_MAX_DEPTH', '0'],
    ['GRAPHQL_MAX_COST', 'lots'],
  ])('given %s=%s when read then it fails naming the variable', (name, value) => {
    expect(() => readModelConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('given HOST when read then the service listens there (every interface by default: clients query it directly)', () => {
    expect(readModelConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(() => readModelConfig({ HOST: '[::]' })).toThrow(/HOST/);
  });

  it('given an unknown profile when read then it fails naming the variable', () => {
    expect(() => readModelConfig({ READ_MODEL_PROFILE: 'batch' })).toThrow(/READ_MODEL_PROFILE/);
  });

  it('given a database name MongoDB would refuse when read then it fails naming the variable', () => {
    expect(() => readModelConfig({ MONGO_DATABASE: 'a.b' })).toThrow(/MONGO_DATABASE/);
  });
});
