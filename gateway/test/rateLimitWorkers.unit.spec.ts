import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { BucketTable } from '../src/rateLimiter.ts';
import type { HammerResult, HammerRound, HammerSetup } from './support/bucketHammer.ts';

// One limit for the whole gateway: worker threads that share the table's SharedArrayBuffer
// draw from one budget per client, never one budget each.
const WORKERS = 2;
const table = BucketTable.create(1024);
const control = new SharedArrayBuffer(16);
const fakeNow = new Float64Array(control, 8, 1);
const workers: Worker[] = [];
let round = 0;

beforeAll(async () => {
  const setup: HammerSetup = { table: table.buffer, control, workers: WORKERS };
  for (let i = 0; i < WORKERS; i++) workers.push(new Worker(new URL('./support/bucketHammer.ts', import.meta.url), { workerData: setup }));
  await Promise.all(workers.map((worker) => once(worker, 'online')));
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.terminate()));
});

/** Every worker takes `attempts` tokens for the same client, all starting together. */
async function hammer(settings: Omit<HammerRound, 'round'>): Promise<HammerResult[]> {
  round++;
  const results = workers.map((worker) => once(worker, 'message') as Promise<[HammerResult]>);
  for (const worker of workers) worker.postMessage({ ...settings, round } satisfies HammerRound);
  return (await Promise.all(results)).map(([result]) => result);
}

const setFakeNow = (ms: number) => (fakeNow[0] = ms);
const total = (results: HammerResult[]) => results.reduce((sum, r) => sum + r.admitted, 0);

describe('a bucket table shared by worker threads', () => {
  it('gives two workers hammering one client the burst once, exactly (no update is lost)', async () => {
    table.clear();
    setFakeNow(1000);
    const results = await hammer({ attempts: 50_000, rate: 1, burst: 5000, fakeClock: true });
    expect(total(results)).toBe(5000); // one budget per worker would give 10 000
    expect(results.every((r) => r.admitted > 0)).toBe(true); // both really competed for it
  });

  it('refills the one budget at the route’s rate, whichever worker takes it', async () => {
    // Same client as above; the fake clock moves between rounds: rate × time more, in total.
    setFakeNow(fakeNow[0]! + 2000);
    expect(total(await hammer({ attempts: 20_000, rate: 1, burst: 5000, fakeClock: true }))).toBe(2);
    setFakeNow(fakeNow[0]! + 60_000);
    expect(total(await hammer({ attempts: 20_000, rate: 1, burst: 5000, fakeClock: true }))).toBe(60);
  });

  it('admits at most burst + rate × elapsed on the real clock', async () => {
    table.clear();
    const rate = 20_000;
    const burst = 2000;
    const results = await hammer({ attempts: 200_000, rate, burst, fakeClock: false });
    const elapsedMs = Math.max(...results.map((r) => r.endedMs)) - Math.min(...results.map((r) => r.startedMs));
    expect(total(results)).toBeLessThanOrEqual(burst + Math.ceil((rate * elapsedMs) / 1000) + 1);
    expect(total(results)).toBeGreaterThanOrEqual(burst);
  });
});
