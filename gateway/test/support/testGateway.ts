import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { createRegistry, type Registry } from '@delivery/runtime-kit';
import { startGateway, type GatewayConfig, type GatewayDeps, type RunningGateway } from '../../src/index.ts';
import { assertRealNetwork } from './realNetwork.ts';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A gateway started in-process on a free port, with its route file, log lines and metrics. */
export interface TestGateway extends RunningGateway {
  url: string;
  /** The admin port's base url (/metrics, /routes, /health/*). */
  adminUrl: string;
  routesFile: string;
  logs: LogLine[];
  registry: Registry;
  /** Rewrites the route file (then call `reload`). */
  writeRoutes(yaml: string): Promise<void>;
  /** The value of one metric series, 0 when absent. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  accessLog(requestId: string): LogLine | undefined;
}

export async function routesFileWith(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-test-'));
  const file = join(dir, 'routes.yaml');
  await writeFile(file, yaml);
  return file;
}

export async function startTestGateway(yaml: string, config: Partial<GatewayConfig> = {}, deps: Pick<GatewayDeps, 'tracing'> = {}): Promise<TestGateway> {
  await assertRealNetwork();
  const routesFile = await routesFileWith(yaml);
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, sink);
  const registry = createRegistry('gateway');
  // No file watching unless asked: these tests rewrite the file and call reload() themselves.
  const gateway = await startGateway(
    { port: 0, host: '127.0.0.1', adminPort: 0, routesFile, upstreamUrls: {}, watchRoutes: false, ...config },
    { logger, registry, ...deps },
  );
  return {
    ...gateway,
    url: `http://127.0.0.1:${gateway.port}`,
    adminUrl: `http://127.0.0.1:${gateway.adminPort}`,
    routesFile,
    logs,
    registry,
    writeRoutes: (text) => writeFile(routesFile, text),
    metric: async (name, labels = {}) => {
      const metric = await registry.getSingleMetric(name)?.get();
      const series = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
      return series?.value ?? 0;
    },
    accessLog: (requestId) => logs.find((line) => line.msg === 'request' && line.requestId === requestId),
  };
}

/** A route file with one route (orders → order); `route` lines are appended to the route, `before` goes first. */
export function oneRouteYaml(route = '', before = ''): string {
  return `
${before}
upstreams:
  order: { url: http://127.0.0.1:8081 }
routes:
  - name: orders
    path: /api/v1/orders/**
    upstream: order
${route}
`;
}

type Settings = Record<string, unknown>;

const TEST_DEFAULTS = {
  connectTimeoutMs: 500,
  responseTimeoutMs: 2000,
  bodyTimeoutMs: 2000,
  bodyLimit: '1kb',
  retry: { retries: 2, initialDelayMs: 10, maxDelayMs: 50, factor: 2 },
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 4, resetTimeoutMs: 500, rollingCountTimeoutMs: 10_000 },
};

/** A route file with the three command routes and test-friendly defaults (`overrides` merged in, retry/breaker field by field). */
export function routesYaml(upstreams: { order: string; dispatch?: string; delivery?: string }, overrides: Settings = {}): string {
  const defaults: Settings = { ...TEST_DEFAULTS, ...overrides };
  for (const key of ['retry', 'breaker'] as const) defaults[key] = { ...TEST_DEFAULTS[key], ...(overrides[key] as Settings | undefined) };
  return stringify({
    defaults,
    upstreams: {
      order: { url: upstreams.order },
      dispatch: { url: upstreams.dispatch ?? upstreams.order },
      delivery: { url: upstreams.delivery ?? upstreams.order },
    },
    routes: [
      { name: 'orders', path: '/api/v1/orders/**', upstream: 'order' },
      { name: 'dispatches', path: '/api/v1/dispatches/**', upstream: 'dispatch' },
      { name: 'deliveries', path: '/api/v1/deliveries/**', upstream: 'delivery' },
    ],
  });
}
