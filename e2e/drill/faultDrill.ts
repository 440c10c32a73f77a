import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_TOPICS } from '@delivery/contracts';
import { mongoUrl, signalComponent, startComponent, stopComponent, type Platform } from '@delivery/infra';
import { EventTap, eventually, metricValue } from '@delivery/test-support';
import { CommandLoad, type CommandRecord } from './commandLoad.ts';
import { judge, type Surfaces, type Verdict } from './judge.ts';
import { storeDownPromises } from './storeDownPromises.ts';

/** What a drill saw while the fault lasted, beside the load's own records. */
export interface FaultObservations {
  /** How the fault was injected, e.g. the batch a SIGKILL interrupted. */
  injected?: string;
  /** Promises the blueprint makes for the time of the fault, checked while it lasts: each broken one, named. */
  broken: string[];
  /** Events that reached Kafka more than once (a crash between publish and mark-sent). */
  duplicatesOnKafka?: number;
}

/** A failure the platform promises to survive: how to cause it, what holds meanwhile, how to heal it. */
export interface FaultDrill {
  name: string;
  /** What an operator would call it, for the report. */
  fault: string;
  /** Causes the fault; may say how (the report shows it). */
  inject(platform: Platform): Promise<string | undefined>;
  /** Checks the blueprint's promises while the fault lasts; returns the broken ones. */
  duringFault?(platform: Platform, records: readonly CommandRecord[]): Promise<string[]>;
  heal(platform: Platform): Promise<void>;
  /** Watches Kafka for duplicates while the drill runs (the outbox crash drill). */
  countsDuplicates?: boolean;
}

const signalService = (platform: Platform, name: 'order' | 'read-model', signal: NodeJS.Signals) => {
  const child = platform.service(name)?.child;
  if (!child?.kill(signal)) throw new Error(`could not send ${signal} to ${name}`);
};

const killed = (platform: Platform, name: 'order' | 'read-model') =>
  new Promise<void>((resolve) => {
    const child = platform.service(name)?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/** Healed once the gateway's breaker for the order route closed again (the load's commands probe it). */
const orderBreakerClosed = (p: Platform) =>
  eventually(
    async () => {
      const text = await (await fetch(`${p.urls.GATEWAY_ADMIN_URL}/metrics`)).text();
      return metricValue(text, 'circuit_breaker_state', { breaker: 'orders' }) === 0;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: "the gateway's order breaker to close" },
  );

/** While Kafka is down the order service stays ready and its outbox holds the events the relay could not publish. */
async function outboxHolds(p: Platform): Promise<string[]> {
  const order = p.urls.ORDER_URL ?? '';
  const broken: string[] = [];
  await eventually(async () => metricValue(await (await fetch(`${order}/metrics`)).text(), 'outbox_backlog_events') > 0, {
    timeoutMs: 20_000,
    what: "the order service's outbox backlog to grow",
  }).catch(() => broken.push("the order service's outbox backlog did not grow while Kafka was down"));
  const ready = await fetch(`${order}/health/ready`);
  if (ready.status !== 200) broken.push(`the order service answered ${ready.status} to /health/ready while Kafka was down`);
  return broken;
}

/** The read model's gauge of the batch being projected: > 0 while one is in progress. */
const batchInProgress = async (p: Platform) => {
  const text = await (await fetch(`${p.urls.READ_MODEL_URL}/metrics`)).text();
  return metricValue(text, 'read_model_batch_in_progress');
};

/** SIGKILLs the read model the moment its gauge shows a batch in progress (the load keeps batches coming). */
async function killMidBatch(p: Platform): Promise<string> {
  let events = 0;
  await eventually(async () => (events = await batchInProgress(p)) > 0, { timeoutMs: 30_000, intervalMs: 1, what: 'a projection batch in progress' });
  await killed(p, 'read-model');
  return `SIGKILL while a batch of ${events} event(s) was being projected`;
}

/**
 * Restarts the order service with the crash seam on (DELIVERY_FAULT_SEAMS): its relay
 * publishes the next batch, then the process SIGKILLs itself before marking the rows sent.
 * A short lease, so the next instance takes the relay over soon and publishes them again.
 */
async function crashAfterPublish(p: Platform): Promise<string> {
  await p.stopService('order');
  await p.startService('order', { env: { DELIVERY_FAULT_SEAMS: 'crash-after-publish', OUTBOX_LEASE_MS: '2000' }, waitReady: false });
  const child = p.service('order')?.child;
  await eventually(() => child?.signalCode === 'SIGKILL', { timeoutMs: 30_000, intervalMs: 20, what: 'the order service to crash after publishing' });
  return 'order service SIGKILLed by its seam after Kafka acknowledged a batch';
}

export const FAULT_DRILLS: readonly FaultDrill[] = [
  {
    name: 'write-service-killed',
    fault: 'order service SIGKILL, then restarted',
    inject: async (p) => {
      await killed(p, 'order');
      return undefined;
    },
    heal: async (p) => {
      await p.startService('order');
      await orderBreakerClosed(p);
    },
  },
  {
    name: 'kafka-stopped',
    fault: 'Kafka stopped, then started',
    inject: async () => {
      await stopComponent('kafka');
      return undefined;
    },
    duringFault: outboxHolds,
    heal: async () => {
      await startComponent('kafka');
    },
  },
  {
    name: 'mariadb-restarted',
    fault: 'MariaDB stopped, then started',
    inject: async () => {
      await stopComponent('mariadb');
      return undefined;
    },
    heal: async () => {
      await startComponent('mariadb');
    },
  },
  {
    name: 'store-stopped',
    fault: 'MongoDB stopped, then started',
    inject: async () => {
      await stopComponent('mongo');
      return undefined;
    },
    duringFault: (p, records) => storeDownPromises(p, records),
    heal: async () => {
      await startComponent('mongo');
    },
  },
  {
    name: 'outbox-crash',
    fault: 'order service killed between publishing and marking sent, then restarted',
    inject: crashAfterPublish,
    heal: async (p) => {
      await p.startService('order');
      await orderBreakerClosed(p);
    },
    countsDuplicates: true,
  },
  {
    name: 'redis-paused',
    fault: 'Redis SIGSTOP, then SIGCONT',
    inject: () => (signalComponent('redis', 'SIGSTOP') ? Promise.resolve(undefined) : Promise.reject(new Error('redis is not ours to pause'))),
    heal: () => {
      signalComponent('redis', 'SIGCONT');
      return Promise.resolve();
    },
  },
  {
    name: 'read-model-killed',
    fault: 'read model SIGKILL during a batch, then restarted',
    inject: killMidBatch,
    heal: (p) => p.startService('read-model'),
  },
  {
    name: 'read-model-paused',
    fault: 'read model SIGSTOP under load, then SIGCONT',
    inject: (p) => {
      signalService(p, 'read-model', 'SIGSTOP');
      return Promise.resolve(undefined);
    },
    heal: (p) => Promise.resolve(signalService(p, 'read-model', 'SIGCONT')),
  },
];

export interface DrillTiming {
  commandsPerSecond: number;
  /** Steady load before the fault, the fault itself, and load after healing. */
  beforeMs: number;
  faultMs: number;
  afterMs: number;
  convergeTimeoutMs: number;
}

export interface DrillReport {
  drill: FaultDrill;
  sent: number;
  accepted: number;
  /** Non-2xx answers by status and problem code; `timeout` counts timeouts and connection failures. */
  rejected: Record<string, number>;
  verdict: Verdict;
  /** Share of the commands sent during the fault (inject to heal) that did not get a 2xx. */
  errorRateDuringFault: number;
  p99Ms: { before: number; during: number; after: number };
  injectedAt: number;
  healedAt: number;
  records: CommandRecord[];
  observed: FaultObservations;
  /** Order views (with their dispatch and delivery) changed both before the fault and during it: they must not show what they were before. */
  changedDuringFault: number;
}

const p99 = (values: number[]) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
};

/**
 * One drill: a steady load of journeys through the gateway, the fault injected and healed
 * while it runs, then the oracle once the views converged. The phases are timed by design
 * (a fault lasts as long as the drill says); everything after healing waits for facts.
 */
export async function runDrill(platform: Platform, drill: FaultDrill, timing: DrillTiming, viewDatabase: string): Promise<DrillReport> {
  const gateway = platform.urls.GATEWAY_URL ?? '';
  const surfaces: Surfaces = {
    viewStore: { url: mongoUrl(), database: viewDatabase },
    readModel: platform.urls.READ_MODEL_URL ?? '',
    owners: { order: platform.urls.ORDER_URL ?? '', dispatch: platform.urls.DISPATCH_URL ?? '', delivery: platform.urls.DELIVERY_URL ?? '' },
  };
  const tap = drill.countsDuplicates ? await EventTap.start(EVENT_TOPICS.order, { from: await EventTap.endOffsets(EVENT_TOPICS.order) }) : undefined;
  const load = new CommandLoad({ gateway, commandsPerSecond: timing.commandsPerSecond });
  const observed: FaultObservations = { broken: [] };
  load.start();
  await sleep(timing.beforeMs);
  const injectedAt = Date.now();
  const injected = await drill.inject(platform);
  if (injected) observed.injected = injected;
  observed.broken = (await drill.duringFault?.(platform, load.records)) ?? [];
  await sleep(Math.max(0, injectedAt + timing.faultMs - Date.now()));
  await drill.heal(platform);
  const healedAt = Date.now();
  await sleep(timing.afterMs);
  await load.stop();

  const records = load.records;
  const verdict = await judge(surfaces, records, timing.convergeTimeoutMs);
  if (tap) {
    await tap.caughtUp();
    const seen = tap.received.map(({ event }) => `${event.aggregateId}@${event.version}`);
    observed.duplicatesOnKafka = seen.length - new Set(seen).size;
    await tap.stop();
  }
  const ok = (r: CommandRecord) => r.status >= 200 && r.status < 300;
  const rejected: Record<string, number> = {};
  for (const r of records.filter((r) => !ok(r))) {
    const key = r.status === 0 ? 'timeout' : `${r.status}${r.code ? ` ${r.code}` : ''}`;
    rejected[key] = (rejected[key] ?? 0) + 1;
  }
  const during = records.filter((r) => r.sentAt >= injectedAt && r.sentAt < healedAt);
  return {
    drill,
    sent: records.length,
    accepted: records.filter(ok).length,
    rejected,
    verdict,
    errorRateDuringFault: during.length === 0 ? 0 : during.filter((r) => !ok(r)).length / during.length,
    p99Ms: {
      before: p99(records.filter((r) => r.sentAt < injectedAt).map((r) => r.latencyMs)),
      during: p99(during.map((r) => r.latencyMs)),
      after: p99(records.filter((r) => r.sentAt >= healedAt).map((r) => r.latencyMs)),
    },
    injectedAt,
    healedAt,
    records,
    observed,
    changedDuringFault: changedDuring(records, injectedAt, healedAt),
  };
}

function changedDuring(records: readonly CommandRecord[], from: number, to: number): number {
  const ok = (r: CommandRecord) => r.status >= 200 && r.status < 300 && r.orderId !== undefined;
  const before = new Set(records.filter((r) => ok(r) && r.sentAt < from).map((r) => r.orderId));
  return new Set(records.filter((r) => ok(r) && r.sentAt >= from && r.sentAt < to && before.has(r.orderId)).map((r) => r.orderId)).size;
}

/** The report's table (docs/reliability.md), one row per drill. */
export function reportTable(reports: readonly DrillReport[]): string {
  const header = '| drill | commands sent | accepted | rejected (by status) | lost | applied twice | wrong | converged in | errors during fault | p99 before / during / after |';
  const rule = '|---|---|---|---|---|---|---|---|---|---|';
  const rows = reports.map((r) => {
    const rejected = Object.entries(r.rejected).map(([answer, n]) => `${answer}: ${n}`).join(', ') || 'none';
    return `| ${r.drill.fault} | ${r.sent} | ${r.accepted} | ${rejected} | ${r.verdict.lost.length} | ${r.verdict.appliedTwice.length} | ${r.verdict.wrong.length} | ${(r.verdict.convergeMs / 1000).toFixed(1)} s | ${(r.errorRateDuringFault * 100).toFixed(0)} % | ${r.p99Ms.before} / ${r.p99Ms.during} / ${r.p99Ms.after} ms |`;
  });
  return [header, rule, ...rows].join('\n');
}

/** Every lost or wrong command, with its request id and aggregate id. */
export function failures(report: DrillReport): string[] {
  return [
    ...report.verdict.lost.map((f) => `lost: ${f.kind} ${f.id} (request ${f.requestId}): ${f.detail}`),
    ...report.verdict.wrong.map((f) => `wrong: ${f.kind} ${f.id} (request ${f.requestId}): ${f.detail}`),
    ...report.verdict.appliedTwice.map((f) => `applied twice: ${f.kind} ${f.id} (request ${f.requestId}): ${f.detail}`),
    ...report.observed.broken.map((promise) => `broken during the fault: ${promise}`),
  ];
}
