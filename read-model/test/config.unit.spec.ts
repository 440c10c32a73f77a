import { describe, expect, it } from '@jest/globals';
import { DEAD_LETTER_TOPIC, EVENT_TOPICS } from '@delivery/contracts';
import { readModelConfig } from '../src/index.ts';

describe('readModelConfig', () => {
  it('given an empty environment when read then the contract defaults apply', () => {
    const config = readModelConfig({});
    expect(config).toMatchObject({
      port: 8084,
      profile: 'full',
      kafka: { groupId: 'read-model', brokers: ['127.0.0.1:9092'], topics: { ...EVENT_TOPICS, deadLetter: DEAD_LETTER_TOPIC } },
      mongo: { database: 'read_model' },
      redis: { keyPrefix: 'rm:' },
      fallback: { urls: { order: 'http://127.0.0.1:8081', dispatch: 'http://127.0.0.1:8082', delivery: 'http://127.0.0.1:8083' }, onMiss: true },
    });
    expect(Object.isFrozen(config.kafka.topics)).toBe(true);
  });

  it('given an unknown profile when read then it fails naming the variable', () => {
    expect(() => readModelConfig({ READ_MODEL_PROFILE: 'batch' })).toThrow(/READ_MODEL_PROFILE/);
  });

  it('given a database name MongoDB would refuse when read then it fails naming the variable', () => {
    expect(() => readModelConfig({ MONGO_DATABASE: 'a.b' })).toThrow(/MONGO_DATABASE/);
  });
});
