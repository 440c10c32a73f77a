import { afterEach, describe, expect, it, jest } from '@jest/globals';
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
    jest.useRealTimers();
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
    expect(breaker.retryAfterSeconds()).toBe(1); // 300 ms left at most, rounded up to the header's whole second
    const gauge = await registry.getSingleMetric('circuit_breaker_state')?.get();
    expect(gauge?.values.find((v) => v.labels.breaker === 'upstream')?.value).toBe(2);
  });

  it('stays open for resetTimeoutMs, advertising the time left, then lets one probe through and closes on its success', async () => {
    jest.useFakeTimers(); // the clock moves only when the test moves it
    const { breaker, calls } = make({ resetTimeoutMs: 2500 });
    for (let i = 0; i < 3; i++) await breaker.fire(true).catch(() => undefined);
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterSeconds()).toBe(3);
    await jest.advanceTimersByTimeAsync(1000);
    expect(breaker.retryAfterSeconds()).toBe(2);
    await jest.advanceTimersByTimeAsync(1499);
    expect(breaker.state()).toBe('open');
    expect(isBreakerOpen(await breaker.fire(false).catch((e: unknown) => e))).toBe(true);
    expect(calls()).toBe(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(breaker.state()).toBe('half-open');
    await expect(breaker.fire(false)).resolves.toBe('ok');
    expect(calls()).toBe(4);
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
    jest.useFakeTimers();
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
    const outcome = breaker.fire().catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(settings.timeoutMs - 1);
    expect(aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(aborted).toBe(true);
    const error = await outcome;
    expect(error).toBeInstanceOf(DeadlineExceeded);
    expect((error as Error).message).toBe(`deadline of ${settings.timeoutMs} ms exceeded`);
    breaker.shutdown();
  });
});
