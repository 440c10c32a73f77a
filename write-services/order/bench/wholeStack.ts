// The whole stack through the gateway at a fixed offered rate (issue #17, the benchmark's
// last row): the five services as `npm start` runs them (startPlatform, free ports, real
// MariaDB, Kafka, MongoDB stand-in and Redis), PlaceOrder POSTed to the gateway in an open
// loop (command i leaves at start + i/rate whatever the earlier answers did), the read model
// polled for a sample of the accepted orders until their view answers (command-to-view lag),
// CPU of the gateway, the order service, the read model and mariadbd from /proc over the
// measured window.
//
// Called by bench/commands.ts (`wholeStackRow`, `wholeStackLines`); alone:
//   sh infra/bin/with-node24.sh node write-services/order/bench/wholeStack.ts
// Settings (environment, when run alone): BENCH_RATE (200 commands/s), BENCH_DURATION_S (10),
// BENCH_WARMUP_S (3).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureInfrastructure, infrastructureEnv, mariadb, repoRoot, startPlatform, statePath, type Platform } from '@delivery/infra';
import { cpuSeconds, deleteGroup, freePorts, placeOrderBody, startGroupAtEnd } from '@delivery/test-support';
import { Pool } from 'undici';
import { parseDocument } from 'yaml';

export interface WholeStackOptions {
  /** Offered load, commands per second (open loop). */
  rate: number;
  /** Measured window, seconds. */
  seconds: number;
  /** Same load before the window, not reported (JIT, pools, caches, consumer joined). */
  warmupSeconds: number;
  /** Every n-th accepted command's view is polled for (5). */
  lagSampleEvery?: number;
  /** Pause between two polls of one view (5 ms): the lag's resolution. */
  pollIntervalMs?: number;
}

export interface WholeStackRow {
  offeredRate: number;
  /** Accepted (201) commands of the window per second, over the window or until its last answer if later. */
  achievedRate: number;
  seconds: number;
  warmupSeconds: number;
  /** Commands sent in the measured window. */
  commands: number;
  accepted: number;
  /** Refused or failed commands of the window by status (`429`, `503`, `network ECONNRESET`, …). */
  errors: Record<string, number>;
  /** Accepted commands: scheduled send to the whole answer, so that queueing (in the client too) counts. */
  latencyMs: { p50: number; p99: number; max: number };
  /** How late the client sent after the scheduled time (its own share of the latency). */
  sendDelayMs: { p99: number; max: number };
  /** The 201's arrival to the first 200 (from the views, not a fallback) of GET /api/v1/orders/{id} on the read model. */
  lagMs: {
    p50: number;
    p99: number;
    max: number;
    samples: number;
    /** Sampled accepted orders whose view had not answered 30 s after their 201. */
    missing: number;
    /** Median of the window's first and last quarter of samples: a growing lag means the read model falls behind. */
    firstQuarterP50: number;
    lastQuarterP50: number;
    sampleEvery: number;
    pollIntervalMs: number;
    /** The poller's GETs on the read model per command of the window (its CPU is in the read model's figure). */
    pollsPerCommand: number;
  };
  /**
   * CPU ms per command: user + system from /proc from the window's first send until its last
   * answer and sampled view, divided by the commands answered meanwhile; by process (client:
   * this benchmark's process).
   */
  cpuMsPerCommand: { gateway: number; order: number; readModel: number; mariadb: number; client: number };
  /** Offered rate held (≥ 98 % achieved, no errors) and the read model kept up (no view missing, lag not growing). */
  sustained: boolean;
  /** Why not, when not sustained. */
  shortfalls: string[];
}

const POLL_DEADLINE_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;

export async function wholeStackRow(options: WholeStackOptions): Promise<WholeStackRow> {
  const { rate, seconds, warmupSeconds } = options;
  const sampleEvery = options.lagSampleEvery ?? 5;
  const pollIntervalMs = options.pollIntervalMs ?? 5;
  if (!(rate > 0) || !(seconds > 0) || !(warmupSeconds >= 0)) throw new Error(`invalid options ${JSON.stringify(options)}`);
  await ensureInfrastructure();
  const mariadbPid = mariadb.pid();
  const run = `bench-whole-${process.pid}`;
  const scratch = mkdtempSync(join(tmpdir(), `${run}-`));
  let platform: Platform | undefined;
  try {
    // The read model's group of its own starts at the topics' end: earlier runs' events are not this run's work.
    await startGroupAtEnd(run);
    platform = await startPlatform({
      ports: await freePorts(),
      env: {
        ...infrastructureEnv(),
        KAFKA_GROUP_ID: run,
        MONGO_DATABASE: run.replaceAll('-', '_'),
        REDIS_KEY_PREFIX: `${run}:`,
        LOG_LEVEL: 'info',
        // One address sends the whole load: the gateway's limits (100/s per client and route) go above it.
        GATEWAY_ROUTES_FILE: benchRoutesFile(scratch),
        // A view not projected yet is a 404, not the order service's answer: the poll sees the view itself.
        FALLBACK_ON_MISS: 'false',
      },
      logDir: statePath('logs', 'bench-whole-stack'),
    });
    return await measure(platform, mariadbPid, { rate, seconds, warmupSeconds, sampleEvery, pollIntervalMs, run });
  } finally {
    await platform?.stop();
    await deleteGroup(run);
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface Settings {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  sampleEvery: number;
  pollIntervalMs: number;
  run: string;
}

interface Outcome {
  /** 201, another status, or `network <code>`. */
  status: number | string;
  /** performance.now() when the whole answer was in. */
  answeredAt: number;
  /** From the scheduled send (set by the scheduler). */
  latencyMs: number;
  orderId?: string;
}

interface LagSample {
  index: number;
  /** The command was refused: no view to wait for. */
  accepted: boolean;
  lagMs?: number;
  polls: number;
}

async function measure(platform: Platform, mariadbPid: number | undefined, settings: Settings): Promise<WholeStackRow> {
  const { rate, seconds, warmupSeconds, sampleEvery, pollIntervalMs, run } = settings;
  const pid = (name: 'gateway' | 'order' | 'read-model') => platform.service(name)?.child.pid;
  const pids = { gateway: pid('gateway'), order: pid('order'), readModel: pid('read-model'), mariadb: mariadbPid };
  const connections = { connections: 256, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS };
  const gateway = new Pool(platform.urls['GATEWAY_URL']!, connections);
  const readModel = new Pool(platform.urls['READ_MODEL_URL']!, { ...connections, connections: 64 });
  try {
    const place = async (index: number): Promise<Outcome> => {
      try {
        const response = await gateway.request({
          path: '/api/v1/orders',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(placeOrderBody({ customerId: `${run}-${index % 100}` })),
        });
        if (response.statusCode !== 201) {
          await response.body.dump();
          return { status: response.statusCode, answeredAt: performance.now(), latencyMs: Number.NaN };
        }
        const body = (await response.body.json()) as { orderId?: unknown };
        return { status: 201, answeredAt: performance.now(), latencyMs: Number.NaN, orderId: String(body.orderId) };
      } catch (error) {
        return { status: `network ${(error as { code?: string }).code ?? (error as Error).name}`, answeredAt: performance.now(), latencyMs: Number.NaN };
      }
    };
    /** Polls the view until it answers from the views; the lag runs from the 201's arrival. */
    const viewLag = async (orderId: string, acceptedAt: number): Promise<{ lagMs?: number; polls: number }> => {
      let polls = 0;
      while (performance.now() - acceptedAt < POLL_DEADLINE_MS) {
        polls += 1;
        try {
          const response = await readModel.request({ path: `/api/v1/orders/${encodeURIComponent(orderId)}`, method: 'GET' });
          await response.body.dump();
          if (response.statusCode === 200 && response.headers['x-read-source'] !== 'fallback') return { lagMs: performance.now() - acceptedAt, polls };
        } catch {
          // not yet (a reset connection is retried like a 404)
        }
        await sleep(pollIntervalMs);
      }
      return { polls };
    };

    // Primed: one command through, its view projected (the consumer has joined its group).
    const first = await place(-1);
    if (first.status !== 201 || first.orderId === undefined) throw new Error(`the priming PlaceOrder answered ${first.status}`);
    if ((await viewLag(first.orderId, first.answeredAt)).lagMs === undefined) throw new Error('the priming order never reached the read model');

    const total = Math.round((warmupSeconds + seconds) * rate);
    const firstMeasured = Math.round(warmupSeconds * rate);
    const interval = 1000 / rate;
    const outcomes: Promise<Outcome>[] = [];
    const lags: Promise<LagSample>[] = [];
    const sendDelays: number[] = [];
    const start = performance.now() + 20;
    let before: CpuSnapshot | undefined;
    for (let index = 0; index < total; index += 1) {
      const due = start + index * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (index === firstMeasured) before = cpuSnapshot(pids);
      if (index >= firstMeasured) sendDelays.push(performance.now() - due);
      const outcome = place(index).then((o): Outcome => ({ ...o, latencyMs: o.answeredAt - due }));
      outcomes.push(outcome);
      // Warm-up samples are polled too, so that the window starts with the poller's load already on.
      if (index % sampleEvery === 0) {
        lags.push(
          outcome.then(async (o) => ({ index, accepted: o.orderId !== undefined, ...(o.orderId === undefined ? { polls: 0 } : await viewLag(o.orderId, o.answeredAt)) })),
        );
      }
    }
    const windowEnd = start + total * interval;
    const measuredStart = start + firstMeasured * interval;
    // The window's CPU runs until its work is done: every answer in, every sampled view seen
    // (a stack that falls behind does most of it after the last send).
    const measured = await Promise.all(outcomes.slice(firstMeasured));
    const samples = (await Promise.all(lags)).filter((s) => s.index >= firstMeasured && s.accepted);
    const after = cpuSnapshot(pids);
    const settledAt = performance.now();
    // Warm-up commands answered inside the window were worked on in it too (in-flight at its start).
    const overlapping = (await Promise.all(outcomes.slice(0, firstMeasured))).filter((o) => o.answeredAt > measuredStart && o.answeredAt <= settledAt).length;

    const accepted = measured.filter((o) => o.status === 201);
    const errors: Record<string, number> = {};
    for (const o of measured) if (o.status !== 201) errors[String(o.status)] = (errors[String(o.status)] ?? 0) + 1;
    const lastAcceptedAt = accepted.reduce((latest, o) => Math.max(latest, o.answeredAt), windowEnd);
    const elapsedS = Math.max(seconds, (lastAcceptedAt - measuredStart) / 1000);
    const latencies = accepted.map((o) => o.latencyMs).sort((a, b) => a - b);
    const seen = samples.flatMap((s) => (s.lagMs === undefined ? [] : [s.lagMs]));
    const quarter = Math.max(1, Math.floor(seen.length / 4));
    const commands = measured.length;
    const cpu = (key: keyof CpuSnapshot) => {
      const [a, b] = [before?.[key], after[key]];
      return a === undefined || b === undefined || commands === 0 ? Number.NaN : ((b - a) * 1000) / (commands + overlapping);
    };
    const row: WholeStackRow = {
      offeredRate: rate,
      achievedRate: accepted.length / elapsedS,
      seconds,
      warmupSeconds,
      commands,
      accepted: accepted.length,
      errors,
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN },
      sendDelayMs: (() => {
        const sorted = [...sendDelays].sort((a, b) => a - b);
        return { p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
      })(),
      lagMs: {
        ...(() => {
          const sorted = [...seen].sort((a, b) => a - b);
          return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
        })(),
        samples: seen.length,
        missing: samples.length - seen.length,
        firstQuarterP50: percentile([...seen.slice(0, quarter)].sort((a, b) => a - b), 0.5),
        lastQuarterP50: percentile([...seen.slice(-quarter)].sort((a, b) => a - b), 0.5),
        sampleEvery,
        pollIntervalMs,
        pollsPerCommand: commands === 0 ? Number.NaN : samples.reduce((sum, s) => sum + s.polls, 0) / commands,
      },
      cpuMsPerCommand: { gateway: cpu('gateway'), order: cpu('order'), readModel: cpu('readModel'), mariadb: cpu('mariadb'), client: cpu('client') },
      sustained: false,
      shortfalls: [],
    };
    row.shortfalls = shortfalls(row);
    row.sustained = row.shortfalls.length === 0;
    return row;
  } finally {
    await Promise.all([gateway.close(), readModel.close()]);
  }
}

function shortfalls(row: WholeStackRow): string[] {
  const found: string[] = [];
  if (row.achievedRate < 0.98 * row.offeredRate) found.push(`achieved ${row.achievedRate.toFixed(0)}/s of ${row.offeredRate}/s`);
  const errors = Object.values(row.errors).reduce((sum, n) => sum + n, 0);
  if (errors > 0) found.push(`${errors} commands refused or failed`);
  if (row.lagMs.missing > 0) found.push(`${row.lagMs.missing} views not there after ${POLL_DEADLINE_MS / 1000} s`);
  if (row.lagMs.lastQuarterP50 > 2 * row.lagMs.firstQuarterP50 + 100)
    found.push(`view lag growing (${row.lagMs.firstQuarterP50.toFixed(0)} → ${row.lagMs.lastQuarterP50.toFixed(0)} ms median)`);
  return found;
}

/** Nearest rank on a sorted list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

interface CpuSnapshot {
  gateway: number | undefined;
  order: number | undefined;
  readModel: number | undefined;
  mariadb: number | undefined;
  client: number;
}

function cpuSnapshot(pids: Record<'gateway' | 'order' | 'readModel' | 'mariadb', number | undefined>): CpuSnapshot {
  const of = (pid: number | undefined) => (pid === undefined ? undefined : cpuSeconds(pid));
  const own = process.cpuUsage();
  return {
    gateway: of(pids.gateway),
    order: of(pids.order),
    readModel: of(pids.readModel),
    mariadb: of(pids.mariadb),
    client: (own.user + own.system) / 1e6,
  };
}

/**
 * The shipped route file with rate limits the offered load cannot reach: every request
 * still goes through the limiter, none is refused (the load comes from one address, far
 * above the shipped 100 commands/s per client and route). Everything else as shipped.
 */
function benchRoutesFile(dir: string): string {
  const document = parseDocument(readFileSync(join(repoRoot, 'gateway/routes.yaml'), 'utf8'));
  const unreachable = { rate: 100_000, burst: 100_000 };
  document.setIn(['defaults', 'rateLimit'], unreachable);
  const routes = (document.toJS() as { routes?: { rateLimit?: unknown }[] }).routes ?? [];
  routes.forEach((route, index) => {
    if (route.rateLimit !== undefined) document.setIn(['routes', index, 'rateLimit'], unreachable);
  });
  const file = join(dir, 'routes.yaml');
  writeFileSync(file, document.toString());
  return file;
}

export function wholeStackLines(row: WholeStackRow): string[] {
  const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const errors = Object.entries(row.errors);
  const cpu = row.cpuMsPerCommand;
  return [
    '| offered cmd/s | achieved cmd/s | commands | errors | p50 ms | p99 ms | view lag p50 / p99 / max ms (samples) | CPU ms/cmd: gateway | order | read model | MariaDB | sustained |',
    '|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---|',
    `| ${row.offeredRate} | ${f(row.achievedRate)} | ${row.commands} | ${errors.length === 0 ? '0' : errors.map(([status, n]) => `${n} × ${status}`).join(', ')} | ${f(row.latencyMs.p50)} | ${f(row.latencyMs.p99)} | ${f(row.lagMs.p50, 0)} / ${f(row.lagMs.p99, 0)} / ${f(row.lagMs.max, 0)} (${row.lagMs.samples}${row.lagMs.missing > 0 ? `, ${row.lagMs.missing} missing` : ''}) | ${f(cpu.gateway, 2)} | ${f(cpu.order, 2)} | ${f(cpu.readModel, 2)} | ${f(cpu.mariadb, 2)} | ${row.sustained ? 'yes' : `no: ${row.shortfalls.join('; ')}`} |`,
    '',
    `Open loop through the gateway: PlaceOrder i is sent at start + i/${row.offeredRate} s whatever the earlier answers (undici, keep-alive), ${row.warmupSeconds} s warm-up then ${row.seconds} s measured, against the whole platform as \`npm start\` runs it (gateway rate limit raised above the load, everything else as shipped); latency runs from the scheduled send to the whole answer, so queueing counts (client send delay p99 ${f(row.sendDelayMs.p99)} ms); view lag runs from the 201 to the first 200 of GET /api/v1/orders/{id} on the read model for every ${row.lagMs.sampleEvery}th order, polled every ${row.lagMs.pollIntervalMs} ms with FALLBACK_ON_MISS=false (those ${f(row.lagMs.pollsPerCommand, 1)} GETs per command are in the read model's CPU); CPU is user + system from /proc from the window's first send until its last answer and sampled view, divided by the commands answered meanwhile (this benchmark's own process: ${f(cpu.client, 2)} ms/cmd).`,
  ];
}

if (import.meta.main) {
  try {
    const row = await wholeStackRow({
      rate: Number(process.env.BENCH_RATE ?? 200),
      seconds: Number(process.env.BENCH_DURATION_S ?? 10),
      warmupSeconds: Number(process.env.BENCH_WARMUP_S ?? 3),
    });
    console.log(JSON.stringify(row));
    console.log(wholeStackLines(row).join('\n'));
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
