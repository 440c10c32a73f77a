import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Exponential backoff with full jitter and a ceiling, shared by the outbox relay, the
 * gateway and the read model (after kafkajs' retry module).
 */
export interface RetryPolicy {
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ retries: 5, initialDelayMs: 100, maxDelayMs: 5000, factor: 2 });

export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Runs `task` until it succeeds, `isRetriable` says no, or the retries are spent. */
export async function retry<T>(
  task: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  isRetriable: (error: unknown) => boolean = () => true,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (attempt >= policy.retries || !isRetriable(error) || signal?.aborted) throw error;
      await sleep(backoffDelay(policy, attempt), undefined, signal ? { signal } : {});
    }
  }
}
