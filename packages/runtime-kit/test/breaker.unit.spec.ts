import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createBreaker, createRegistry, DeadlineExceeded, isBreakerOpen, type Breaker, type BreakerSettings } from '../src/index.ts';

const settings: BreakerSettings = {
  timeoutMs: 200,
  errorThresholdPercentage: 50,
  volumeThreshold: 3,
  resetTimeoutMs: 300,
  rollingCountTimeoutMs: 10_000,
};

class ClientMistake extends Error {}

describe('circuit breaker', () => {
  const breakers: Breaker<[boolean], string>[] = [];
  afterEach(() => {
    for (const b of breakers.splice(0)) b.shutdown();
  });

  const make = (overrides: Partial<BreakerSettings> = {}) => {
    let calls = 0;
    const registry = createRegistry('breaker-test');
    const breaker = createBreaker(
      'upstream',
      async (_signal: AbortSignal, fail: boolean) => {
        calls++;
        if (fail) throw new Error('upstream down');
        return 'ok';
      },
      { ...settings, ...overrides },
      { registry, logger: pino({ level: 'silent' }), isFailure: (e) => !(e instanceof ClientMistake) },
    );
    breakers.push(breaker);
    return { breaker, registry, calls: () => calls };
  };

  it('stays closed below the volume threshold, then opens and rejects without calling the action', async () => {
    const { breaker, calls, registry } = make();
    await expect(breaker.fire(true)).rejects.toThrow('upstream down');
    await expect(breaker.fire(true)).rejects.toThrow('upstream down');
    expect(breaker.state()).toBe('closed');
    await expect(breaker.fire(true)).rejects.toThrow('upstream down');
    expect(breaker.state()).toBe('open');
    const before = calls();
    const rejected = await breaker.fire(false).catch((e: unknown) => e);
    expect(isBreakerOpen(rejected)).toBe(true);
    expect(calls()).toBe(before);
    expect(breaker.retryAfterSeconds()).toBeGreaterThanOrEqual(1);
    const gauge = await registry.getSingleMetric('circuit_breaker_state')?.get();
    expect(gauge?.values.find((v) => v.labels.breaker === 'upstream')?.value).toBe(2);
  });

  it('lets one probe through when half-open and closes on its success', async () => {
    const { breaker } = make();
    for (let i = 0; i < 3; i++) await breaker.fire(true).catch(() => undefined);
    expect(breaker.state()).toBe('open');
    await sleep(settings.resetTimeoutMs + 100);
    expect(breaker.state()).toBe('half-open');
    await expect(breaker.fire(false)).resolves.toBe('ok');
    expect(breaker.state()).toBe('closed');
  });

  it('does not count errors the caller calls non-failures (client errors)', async () => {
    let calls = 0;
    const breaker = createBreaker(
      'client-errors',
      async () => {
        calls++;
        throw new ClientMistake('400');
      },
      settings,
      { registry: createRegistry('t'), logger: pino({ level: 'silent' }), isFailure: (e) => !(e instanceof ClientMistake) },
    );
    for (let i = 0; i < 10; i++) await expect(breaker.fire()).rejects.toThrow('400');
    expect(breaker.state()).toBe('closed');
    expect(calls).toBe(10);
    breaker.shutdown();
  });

  it('aborts the call at its deadline and rejects with DeadlineExceeded', async () => {
    let aborted = false;
    const breaker = createBreaker(
      'slow',
      (signal: AbortSignal) =>
        new Promise<string>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
      settings,
      { registry: createRegistry('t'), logger: pino({ level: 'silent' }) },
    );
    const started = Date.now();
    await expect(breaker.fire()).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000); // a guard against hanging, not a speed figure
    breaker.shutdown();
  });
});
