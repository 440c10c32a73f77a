// node write-services/order/bench/commands.ts [requests=2000] [concurrency=16]
// PlaceOrder through HTTP against an in-process order service on a throwaway schema, with
// real Kafka: request latency percentiles, throughput, and how long after the last 201
// the last OrderPlaced reached Kafka (relay lag). Numbers depend on the machine (2 cores,
// load generator in the same process): compare runs, don't quote them as capacity.
import { EVENT_TOPICS } from '@delivery/contracts';
import { createThrowawayDatabase, EventTap, eventually, placeOrderBody } from '@delivery/test-support';
import { startOrderService } from '../src/index.ts';

const total = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 16);
const body = JSON.stringify(placeOrderBody({ customerId: 'bench', requestNote: null }));

const database = await createThrowawayDatabase('order_db_bench');
const tap = await EventTap.start(EVENT_TOPICS.order);
const service = await startOrderService({ port: 0, host: '127.0.0.1', databaseUrl: database.url, logLevel: 'warn' });
try {
  const latencies: number[] = [];
  const ids = new Set<string>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        const res = await fetch(`${service.url}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const json = (await res.json()) as { orderId: string };
        latencies.push(performance.now() - t0);
        if (res.status !== 201) throw new Error(`status ${res.status}`);
        ids.add(json.orderId);
      }
    }),
  );
  const elapsed = performance.now() - started;
  await eventually(() => tap.received.filter((r) => ids.has(r.event.aggregateId)).length >= ids.size, { timeoutMs: 120_000, what: 'all events' });
  const lag = performance.now() - started - elapsed;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  console.log(
    JSON.stringify({
      requests: total,
      concurrency,
      throughputPerSecond: Math.round((total / elapsed) * 1000),
      latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies.at(-1)!.toFixed(1) },
      lastEventAfterLastAnswerMs: Math.round(lag),
    }),
  );
} finally {
  await service.close();
  await tap.stop();
  await database.drop();
}
