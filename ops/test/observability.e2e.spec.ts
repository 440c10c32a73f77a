import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ensureInfrastructure,
  infrastructureEnv,
  metricsPort,
  PROMTOOL,
  renderPrometheusConfig,
  scrapeTargets,
  startPlatform,
  startPrometheus,
  statePath,
  type Platform,
  type RunningPrometheus,
  type ServiceDefinition,
} from '@delivery/infra';
import { commandClient, eventually, freePort, freePorts, placeOrderBody } from '@delivery/test-support';
import {
  dashboardFiles,
  dashboardQueries,
  exportedMetricNames,
  parsePromQL,
  recordedMetricNames,
  SCRAPE_SERIES,
  withTemplateVariables,
} from './support/dashboards.ts';
import { metricFamilies, namesInTablesOf } from './support/observabilityDoc.ts';

type ServiceName = ServiceDefinition['name'];
const SERVICE_NAMES: ServiceName[] = ['gateway', 'order', 'dispatch', 'delivery', 'read-model'];

/** promtool reads the exposition on stdin; resolves with its complaints ('' when none). */
function promtoolCheckMetrics(exposition: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(PROMTOOL, ['check', 'metrics'], (error, stdout, stderr) => {
      const complaints = `${stdout}${stderr}`.trim();
      if (error !== null && complaints === '') reject(new Error(`promtool failed: ${error.message}`));
      else resolve(complaints);
    });
    child.stdin?.end(exposition);
  });
}

interface ApiAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/**
 * One platform on free ports serves all of this suite: its metrics are checked by promtool,
 * and a real Prometheus (Debian's package, data in the state folder) scrapes it with the
 * shipped configuration and rules (`for:` shortened to 5 s) while a write service goes down
 * and comes back.
 */
describe('observability against the running platform', () => {
  const suite = 'observability';
  let platform: Platform;
  let prometheus: RunningPrometheus;
  const dataDir = statePath('prometheus', `e2e-${randomUUID()}`);
  const metricsUrl = (name: ServiceName) => `http://127.0.0.1:${metricsPort(name, platform.ports)}/metrics`;
  const expositions = new Map<ServiceName, string>();

  beforeAll(async () => {
    await ensureInfrastructure();
    platform = await startPlatform({
      ports: await freePorts(),
      env: {
        ...infrastructureEnv(),
        KAFKA_GROUP_ID: `read-model-e2e-${suite}`,
        MONGO_DATABASE: `read_model_e2e_${suite}`,
        REDIS_KEY_PREFIX: `e2e:${suite}:`,
      },
      logDir: join(statePath('logs'), `e2e-${suite}`),
    });
    const [configFile, port] = [
      renderPrometheusConfig({
        dir: join(dataDir, 'config'),
        targets: scrapeTargets(platform.ports),
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        alertFor: '5s',
      }),
      await freePort(),
    ];
    prometheus = await startPrometheus({ configFile, dataDir: join(dataDir, 'data'), port, logFile: join(statePath('logs'), `e2e-${suite}`, 'prometheus.log') });
    // Traffic, so that labelled series exist: a command through the gateway, read back from the read model.
    const placed = await commandClient(platform.urls.GATEWAY_URL!).send('POST', '/api/v1/orders', placeOrderBody({ customerId: `obs-${randomUUID()}` }));
    expect(placed.status).toBe(201);
    const orderId = String(placed.body.orderId);
    await eventually(async () => (await commandClient(platform.urls.READ_MODEL_URL!).get(`/api/v1/orders/${orderId}`)).status === 200, {
      timeoutMs: 60_000,
      what: 'the order in the read model',
    });
    for (const name of SERVICE_NAMES) expositions.set(name, await (await fetch(metricsUrl(name))).text());
  }, 240_000);

  afterAll(async () => {
    await prometheus.stop();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it.each(SERVICE_NAMES)("%s's /metrics passes promtool check metrics", async (name) => {
    const exposition = expositions.get(name)!;
    expect(exposition).toMatch(/^process_cpu_seconds_total\{service="[a-z-]+"\} /m);
    expect(await promtoolCheckMetrics(exposition)).toBe('');
  });

  it('scrapes all five services with the shipped configuration', async () => {
    const api = async (path: string) => ((await (await fetch(`${prometheus.url}${path}`)).json()) as { data: unknown }).data;
    let health: Record<string, string> = {};
    await eventually(
      async () => {
        const { activeTargets } = (await api('/api/v1/targets')) as { activeTargets: { labels: { job: string }; health: string }[] };
        health = Object.fromEntries(activeTargets.map((t) => [t.labels.job, t.health]));
        return SERVICE_NAMES.every((n) => health[n] === 'up');
      },
      { timeoutMs: 30_000, what: () => `every target up (${JSON.stringify(health)})` },
    );
    expect(Object.keys(health).sort()).toEqual([...SERVICE_NAMES].sort());
    const { groups } = (await api('/api/v1/rules')) as { groups: { rules: { type: string }[] }[] };
    expect(groups.flatMap((g) => g.rules).filter((r) => r.type === 'alerting').length).toBeGreaterThanOrEqual(12);
  }, 60_000);

  // The Grafana dashboards' other checks (schema, PromQL syntax) are in grafanaDashboards.int.spec.ts.
  it('has Grafana dashboards that query only metrics the services export or the rules record, each accepted by Prometheus', async () => {
    const known = new Set([...SCRAPE_SERIES, ...recordedMetricNames(), ...[...expositions.values()].flatMap(exportedMetricNames)]);
    const queries = dashboardFiles().flatMap(dashboardQueries);
    expect(queries.length).toBeGreaterThanOrEqual(40);
    const unknown = queries.flatMap((q) => parsePromQL(withTemplateVariables(q.expr)).metricNames.filter((n) => !known.has(n)).map((n) => `${q.where}: ${n}`));
    expect(unknown).toEqual([]);
    // Prometheus' own parser and type checks (a range where an instant vector is due, an unknown function...).
    const refused: string[] = [];
    for (const q of queries) {
      const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(withTemplateVariables(q.expr))}`);
      const body = (await response.json()) as { status: string; error?: string };
      if (body.status !== 'success') refused.push(`${q.where}: ${body.error ?? response.status}`);
    }
    expect(refused).toEqual([]);
  });

  // prom-client's default process_* and nodejs_* metrics are one summary row of the doc.
  it('documents every metric family a service exports in the Metrics section of docs/observability.md', () => {
    const documented = namesInTablesOf('Metrics');
    const exported = new Set([...expositions.values()].flatMap(metricFamilies));
    expect(exported.size).toBeGreaterThanOrEqual(30);
    const own = [...exported].filter((name) => !name.startsWith('process_') && !name.startsWith('nodejs_'));
    expect(own.filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('raises ServiceDown for a stopped write service: pending, then firing, then resolved once it is back', async () => {
    const serviceDown = async (): Promise<ApiAlert | undefined> => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: ApiAlert[] } };
      return body.data.alerts.find((a) => a.labels['alertname'] === 'ServiceDown' && a.labels['job'] === 'dispatch');
    };
    expect(await serviceDown()).toBeUndefined();
    await platform.stopService('dispatch');
    await eventually(async () => (await serviceDown())?.state === 'pending', { timeoutMs: 30_000, intervalMs: 100, what: 'ServiceDown pending' });
    await eventually(async () => (await serviceDown())?.state === 'firing', { timeoutMs: 30_000, what: 'ServiceDown firing' });
    await platform.startService('dispatch');
    await eventually(async () => (await serviceDown()) === undefined, { timeoutMs: 30_000, what: 'ServiceDown resolved' });
  }, 120_000);
});
