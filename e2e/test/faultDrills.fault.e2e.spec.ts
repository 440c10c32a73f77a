import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { commandClient, placeOrderBody } from '@delivery/test-support';
import { startComponent, signalComponent, type Platform } from '@delivery/infra';
import { FAULT_DRILLS, failures, reportTable, runDrill, type DrillReport, type DrillTiming } from '../drill/faultDrill.ts';
import { startWholeSystem, viewDatabaseOf } from './support/wholeSystem.ts';

/**
 * The fault drills, scaled down (npm run drill runs them in full): each injects one real
 * fault under a steady load of journeys through the gateway, heals it, and checks every
 * 2xx command against the read model. Zero lost, zero applied twice, zero wrong.
 */
const TIMING: DrillTiming = { commandsPerSecond: 25, beforeMs: 1500, faultMs: 3000, afterMs: 2000, convergeTimeoutMs: 60_000 };
const drill = (name: string) => FAULT_DRILLS.find((d) => d.name === name)!;

describe('fault drills (scaled down)', () => {
  let platform: Platform;
  const reports: DrillReport[] = [];

  beforeAll(async () => {
    platform = await startWholeSystem('drill');
  }, 180_000);
  afterAll(async () => {
    // Whatever a failed drill left behind: the infrastructure runs, the platform stops.
    signalComponent('redis', 'SIGCONT');
    await startComponent('kafka');
    await startComponent('mariadb');
    await startComponent('mongo');
    await platform.stop();
    if (reports.length > 0) console.log(reportTable(reports));
  }, 120_000);

  const expectClean = (report: DrillReport) => {
    reports.push(report);
    expect(failures(report)).toEqual([]);
    expect(report.sent).toBeGreaterThanOrEqual(100);
    // Every refusal is an answer, never a hang past the client's deadline.
    expect(report.rejected.timeout ?? 0).toBe(0);
  };

  it('a write service SIGKILLed: its breaker answers 503 with Retry-After, commands succeed once it is back, nothing lost', async () => {
    const report = await runDrill(platform, drill('write-service-killed'), TIMING, viewDatabaseOf('drill'));
    expectClean(report);
    const toOrders = (r: { path: string }) => r.path.startsWith('/api/v1/orders');
    const during = report.records.filter((r) => toOrders(r) && r.sentAt >= report.injectedAt && r.sentAt < report.healedAt);
    // The order route's breaker opened: its refusals are 503 CIRCUIT_OPEN with Retry-After (a
    // request in flight when the process died may end as 502/503 from the upstream error).
    expect(during.filter((r) => r.status === 503 && r.code === 'CIRCUIT_OPEN' && r.retryAfter !== undefined).length).toBeGreaterThan(0);
    // Refused cleanly (5xx problem), never answered as if the command were wrong (4xx).
    expect(during.filter((r) => r.status >= 400 && r.status < 500)).toEqual([]);
    // And closed again once the service was back.
    expect(report.records.filter((r) => toOrders(r) && r.sentAt >= report.healedAt && r.status >= 200 && r.status < 300).length).toBeGreaterThan(0);
  }, 180_000);

  it('Kafka stopped: commands keep succeeding on the outbox and the views catch up', async () => {
    const report = await runDrill(platform, drill('kafka-stopped'), { ...TIMING, faultMs: 5000 }, viewDatabaseOf('drill'));
    expectClean(report);
    expect(report.errorRateDuringFault).toBe(0);
  }, 180_000);

  it('MariaDB restarted: commands fail cleanly meanwhile, succeed after; a keyed retry after the outage has exactly one effect, at once', async () => {
    const gateway = commandClient(platform.urls.GATEWAY_URL!);
    const keyed: { key: string; status: number; orderId?: string }[] = [];
    const keyedLoadState = { sending: true };
    // A careful client: a 429 (the gateway's rate limit, one client address here) is waited out
    // as its Retry-After says, then sent again with the same key.
    const sendKeyed = async (key: string) => {
      for (;;) {
        const answer = await gateway.send('POST', '/api/v1/orders', placeOrderBody({ customerId: 'customer-keyed' }), { 'Idempotency-Key': key });
        if (answer.status !== 429) return answer;
        await delay(1000 * Number(answer.headers.get('retry-after') ?? 1));
      }
    };
    // Beside the drill's load: keyed PlaceOrders all along, as a careful client sends them.
    const keyedLoad = (async () => {
      while (keyedLoadState.sending) {
        const key = randomUUID();
        const answer = await sendKeyed(key);
        keyed.push({ key, status: answer.status, ...(answer.status === 201 ? { orderId: answer.body.orderId as string } : {}) });
      }
    })();
    const report = await runDrill(platform, drill('mariadb-restarted'), TIMING, viewDatabaseOf('drill'));
    keyedLoadState.sending = false;
    await keyedLoad;
    expectClean(report);
    // Refused cleanly: 503 problems (the database, or a service a rule needs, unavailable), no 500.
    expect(Object.keys(report.rejected).filter((answer) => !answer.startsWith('503'))).toEqual([]);
    expect(keyed.length).toBeGreaterThan(10);
    for (const { key, status, orderId } of keyed) {
      // Sent again once the database is back: executed now if it had failed, replayed if it had
      // succeeded, never "still in flight"; either way one order per key.
      const retry = await sendKeyed(key);
      expect([key, retry.status]).toEqual([key, 201]);
      if (status === 201) expect([key, retry.body.orderId]).toEqual([key, orderId]);
      const again = await sendKeyed(key);
      expect([key, again.body.orderId]).toEqual([key, retry.body.orderId]);
    }
  }, 180_000);

  it('MongoDB stopped: cache hits, fallback reads, lists from the index or 503, critical GraphQL fields meanwhile; projections resume after', async () => {
    // The promises for the time of the fault are checked while it lasts (storeDownPromises.ts);
    // a broken one is a failure of the report.
    const report = await runDrill(platform, drill('store-stopped'), TIMING, viewDatabaseOf('drill'));
    expectClean(report);
    expect(report.errorRateDuringFault).toBe(0);
  }, 180_000);

  it('a write service killed between publishing and marking sent: duplicates reach Kafka, every view shows each event once', async () => {
    const report = await runDrill(platform, drill('outbox-crash'), TIMING, viewDatabaseOf('drill'));
    expectClean(report);
    expect(report.observed.injected).toMatch(/SIGKILLed by its seam/);
    expect(report.observed.duplicatesOnKafka).toBeGreaterThan(0);
  }, 180_000);

  it('Redis paused: reads and commands go on; no entry from before the pause is served for a view changed during it', async () => {
    const report = await runDrill(platform, drill('redis-paused'), TIMING, viewDatabaseOf('drill'));
    expectClean(report);
    // Views changed while Redis was frozen with their old entries: the oracle read each of them
    // through REST (Redis first) and GraphQL and found the owner's version, never the old one.
    expect(report.changedDuringFault).toBeGreaterThan(0);
  }, 180_000);

  it('the read model SIGKILLed during a batch: nothing lost, nothing applied twice once it restarts', async () => {
    const report = await runDrill(platform, drill('read-model-killed'), TIMING, viewDatabaseOf('drill'));
    expectClean(report);
    expect(report.observed.injected).toMatch(/while a batch of \d+ event\(s\) was being projected/);
    expect(report.errorRateDuringFault).toBe(0);
  }, 180_000);

  it('the read model SIGSTOPped under load: nothing lost once it resumes', async () => {
    const report = await runDrill(platform, drill('read-model-paused'), TIMING, viewDatabaseOf('drill'));
    expectClean(report);
    expect(report.errorRateDuringFault).toBe(0);
  }, 180_000);
});
