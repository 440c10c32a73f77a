import { describe, expect, it } from '@jest/globals';
import { backoffDelay, retry, type RetryPolicy } from '../src/index.ts';

const fast: RetryPolicy = { retries: 3, initialDelayMs: 1, maxDelayMs: 4, factor: 2 };

describe('retry', () => {
  it('grows the delay exponentially with jitter between half and all of the ceiling, capped', () => {
    const policy: RetryPolicy = { retries: 10, initialDelayMs: 100, maxDelayMs: 1000, factor: 2 };
    expect(backoffDelay(policy, 0, () => 0)).toBe(50);
    expect(backoffDelay(policy, 0, () => 1)).toBe(100);
    expect(backoffDelay(policy, 2, () => 1)).toBe(400);
    expect(backoffDelay(policy, 8, () => 1)).toBe(1000);
    expect(backoffDelay(policy, 8, () => 0)).toBe(500);
  });

  it('retries until the task succeeds', async () => {
    let calls = 0;
    const result = await retry(async (attempt) => {
      calls++;
      if (attempt < 2) throw new Error('not yet');
      return 'done';
    }, fast);
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the configured retries with the last error', async () => {
    let calls = 0;
    await expect(
      retry(async (attempt) => {
        calls++;
        throw new Error(`failure ${attempt}`);
      }, fast),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(4);
  });

  it('stops at once on an error the caller says is not retriable', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('bad request');
        },
        fast,
        () => false,
      ),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
  });
});
