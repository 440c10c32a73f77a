import { setTimeout as sleep } from 'node:timers/promises';
import { mongoUrl, signalComponent, startComponent, stopComponent, type Platform } from '@delivery/infra';
import { eventually, metricValue } from '@delivery/test-support';
import { CommandLoad, type CommandRecord } from './commandLoad.ts';
import { judge, type Surfaces, type Verdict } from './judge.ts';

/** A failure the platform promises to survive: how to cause it and how to heal it. */
export interface FaultDrill {
  name: string;
  /** What an operator would call it, for the report. */
  fault: string;
  inject(platform: Platform): Promise<void>;
  heal(platform: Platform): Promise<void>;
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
      const text = await (await fetch(`${p.urls.GATEWAY_URL}/metrics`)).text();
      return metricValue(text, 'circuit_breaker_state', { breaker: 'orders' }) === 0;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: "the gateway's order breaker to close" },
  );

export const FAULT_DRILLS: readonly FaultDrill[] = [
  {
    name: 'write-service-killed',
    fault: 'order service SIGKILL, then restarted',
    inject: (p) => killed(p, 'order'),
    heal: async (p) => {
      await p.startService('order');
      await orderBreakerClosed(p);
    },
  },
  {
    name: 'kafka-stopped',
    fault: 'Kafka stopped, then started',
    inject: () => stopComponent('kafka'),
    heal: async () => {
      await startComponent('kafka');
    },
  },
  {
    name: 'mariadb-restarted',
    fault: 'MariaDB stopped, then started',
    inject: () => stopComponent('mariadb'),
    heal: async () => {
      await startComponent('mariadb');
    },
  },
  {
    name: 'redis-paused',
    fault: 'Redis SIGSTOP, then SIGCONT',
    inject: () => (signalComponent('redis', 'SIGSTOP') ? Promise.resolve() : Promise.reject(new Error('redis is not ours to pause'))),
    heal: () => {
      signalComponent('redis', 'SIGCONT');
      return Promise.resolve();
    },
  },
  {
    name: 'read-model-killed',
    fault: 'read model SIGKILL under load, then restarted',
    inject: (p) => killed(p, 'read-model'),
    heal: (p) => p.startService('read-model'),
  },
  {
    name: 'read-model-paused',
    fault: 'read model SIGSTOP under load, then SIGCONT',
    inject: (p) => Promise.resolve(signalService(p, 'read-model', 'SIGSTOP')),
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
  const load = new CommandLoad({ gateway, commandsPerSecond: timing.commandsPerSecond });
  load.start();
  await sleep(timing.beforeMs);
  const injectedAt = Date.now();
  await drill.inject(platform);
  await sleep(timing.faultMs);
  await drill.heal(platform);
  const healedAt = Date.now();
  await sleep(timing.afterMs);
  await load.stop();

  const records = load.records;
  const verdict = await judge(surfaces, records, timing.convergeTimeoutMs);
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
  };
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
  ];
}
