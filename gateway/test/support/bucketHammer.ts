import { parentPort, workerData } from 'node:worker_threads';
import { BucketTable, monotonicClock, rateLimitPolicy, RateLimiter } from '../../src/rateLimiter.ts';

/**
 * A worker thread of rateLimitWorkers.unit.spec.ts: attaches to the shared bucket table and,
 * for every round the test starts, waits at a barrier for the other workers, then takes
 * tokens for one client as fast as it can and reports how many it was given.
 */
export interface HammerSetup {
  table: SharedArrayBuffer;
  /** Int32 [0]: workers arrived at the barrier (all rounds); Float64 [1]: the fake clock in ms. */
  control: SharedArrayBuffer;
  workers: number;
}

export interface HammerRound {
  round: number;
  attempts: number;
  rate: number;
  burst: number;
  /** Read the time from the shared fake clock instead of performance.now(). */
  fakeClock: boolean;
}

export interface HammerResult {
  admitted: number;
  startedMs: number;
  endedMs: number;
}

const setup = workerData as HammerSetup;
const arrived = new Int32Array(setup.control, 0, 1);
const fakeNow = new Float64Array(setup.control, 8, 1);
const table = BucketTable.attach(setup.table);
const fake = new RateLimiter(table, () => fakeNow[0] ?? 0);
const real = new RateLimiter(table, monotonicClock);
const port = parentPort;

port?.on('message', (round: HammerRound) => {
  const limiter = round.fakeClock ? fake : real;
  const policy = rateLimitPolicy('orders', { rate: round.rate, burst: round.burst }, { trustedProxies: 0, ipv6PrefixLength: 64 });
  Atomics.add(arrived, 0, 1);
  while (Atomics.load(arrived, 0) < setup.workers * round.round) Atomics.wait(arrived, 0, Atomics.load(arrived, 0), 0.01);
  const startedMs = monotonicClock();
  let admitted = 0;
  for (let i = 0; i < round.attempts; i++) if (limiter.take(policy, '192.0.2.1', undefined) >= 0) admitted++;
  const result: HammerResult = { admitted, startedMs, endedMs: monotonicClock() };
  port.postMessage(result);
});
