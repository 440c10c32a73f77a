// Stops a shared component: runs alone (the *.fault.* suites run one at a time).
import { describe, expect, it } from '@jest/globals';
import { ensureInfrastructure, redis, stopComponent } from '../src/index.ts';

describe('a stopped component', () => {
  it('given Redis is stopped when ensureInfrastructure() runs then Redis answers again', async () => {
    await stopComponent('redis');
    await expect(redis.isReady()).resolves.toBe(false);

    const statuses = await ensureInfrastructure();

    expect(statuses.find((status) => status.name === 'redis')?.outcome).toBe('started');
    await expect(redis.isReady()).resolves.toBe(true);
  }, 60_000);
});
