import { describe, expect, it } from '@jest/globals';
import { env, readConfig } from '../src/index.ts';

describe('readConfig', () => {
  const shape = { PORT: env.port(8080), KAFKA_BROKERS: env.list('127.0.0.1:9092'), VERBOSE: env.flag(false) };

  it('applies defaults and parses lists, numbers and flags', () => {
    expect(readConfig(shape, { PORT: '9000', KAFKA_BROKERS: 'a:1, b:2', VERBOSE: '1' })).toEqual({
      PORT: 9000,
      KAFKA_BROKERS: ['a:1', 'b:2'],
      VERBOSE: true,
    });
    expect(readConfig(shape, {})).toEqual({ PORT: 8080, KAFKA_BROKERS: ['127.0.0.1:9092'], VERBOSE: false });
  });

  it('stops with a message naming the bad variable', () => {
    expect(() => readConfig(shape, { PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('takes a listen address as an IP literal or a host name, and nothing else', () => {
    const hostShape = { HOST: env.host('127.0.0.1') };
    expect(readConfig(hostShape, {}).HOST).toBe('127.0.0.1');
    for (const host of ['0.0.0.0', '::', '::1', '10.0.0.5', 'localhost', 'order.internal']) expect(readConfig(hostShape, { HOST: host }).HOST).toBe(host);
    for (const host of ['', '[::1]', '127.0.0.1:8081', 'http://x', 'a b']) expect(() => readConfig(hostShape, { HOST: host })).toThrow(/HOST/);
  });

  it('returns a frozen object', () => {
    const config = readConfig(shape, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
  });
});
