import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { eventually, freePort } from '@delivery/test-support';
import { send } from './support/send.ts';
import { oneRouteYaml, routesFileWith } from './support/testGateway.ts';
import { TestUpstream } from './support/testUpstream.ts';

// GATEWAY_WORKERS=2 in the real process (node gateway/src/main.ts): two worker threads on one
// port (SO_REUSEPORT), one rate-limit table, reloads handed to every worker by the main
// thread, /metrics on the main thread's admin port summed over the workers.
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let first: TestUpstream;
let second: TestUpstream;
let deadPort: number;
let routesFile: string;
let child: ChildProcess;
const output = { stdout: '', stderr: '' };
let url: string;
let adminUrl: string;

/** Test-friendly settings; dispatches: a tiny rate limit, deliveries: a dead upstream and a breaker that opens at once. */
function routes(orderUrl: string): string {
  return stringify({
    defaults: { connectTimeoutMs: 500, responseTimeoutMs: 2000, retry: { retries: 0 }, breaker: { volumeThreshold: 20 } },
    upstreams: {
      order: { url: orderUrl },
      dispatch: { url: first.url },
      delivery: { url: `http://127.0.0.1:${deadPort}` },
    },
    routes: [
      { name: 'orders', path: '/api/v1/orders/**', upstream: 'order' },
      { name: 'dispatches', path: '/api/v1/dispatches/**', upstream: 'dispatch', rateLimit: { rate: 0.001, burst: 3 } },
      { name: 'deliveries', path: '/api/v1/deliveries/**', upstream: 'delivery', breaker: { volumeThreshold: 1, resetTimeoutMs: 600_000 } },
    ],
  });
}

async function replaceFile(file: string, text: string): Promise<void> {
  await writeFile(`${file}.next`, text);
  await rename(`${file}.next`, file);
}

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One scrape of the admin port's /metrics; `value` sums the series of `name` that carry `labels`. */
async function scrape(): Promise<{ value(name: string, labels?: Record<string, string>): number; text: string }> {
  const answer = await send(adminUrl, 'GET', '/metrics');
  expect(answer.status).toBe(200);
  const series: Series[] = [];
  for (const line of answer.body.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    series.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return {
    text: answer.body,
    value: (name, labels = {}) =>
      series
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0),
  };
}

/** Requests each worker thread has taken so far. */
async function perWorker(): Promise<[number, number]> {
  const metrics = await scrape();
  return [1, 2].map((id) => metrics.value('gateway_worker_requests_total', { worker: String(id) })) as [number, number];
}

/**
 * Sends commands, each on a new connection (the kernel picks a worker per connection), until
 * both workers took at least one of them and at least `atLeast` were sent; the answers' statuses.
 */
async function untilBothWorkersServed(path: string, atLeast = 1): Promise<number[]> {
  const [one, two] = await perWorker();
  const statuses: number[] = [];
  await eventually(
    async () => {
      statuses.push((await send(url, 'POST', path, { body: '{}' })).status);
      const [nowOne, nowTwo] = await perWorker();
      return nowOne > one && nowTwo > two && statuses.length >= atLeast;
    },
    { what: `both workers serving ${path}` },
  );
  return statuses;
}

beforeAll(async () => {
  [first, second] = await Promise.all([TestUpstream.start(), TestUpstream.start()]);
  deadPort = await freePort();
  routesFile = await routesFileWith('');
  await writeFile(routesFile, routes(first.url));
  const port = await freePort();
  child = spawn(process.execPath, ['--conditions=source', MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      GATEWAY_ADMIN_PORT: '0',
      GATEWAY_WORKERS: '2',
      GATEWAY_ROUTES_FILE: routesFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const adminPort = await eventually(() => /"port":(\d+),"msg":"gateway admin listening"/.exec(output.stdout)?.[1], {
    timeoutMs: 15_000,
    what: () => `the gateway to start (stderr: ${output.stderr})`,
  });
  url = `http://127.0.0.1:${port}`;
  adminUrl = `http://127.0.0.1:${adminPort}`;
});

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all([first.stop(), second.stop()]);
});

describe('GATEWAY_WORKERS=2', () => {
  it('serves the port with both worker threads, and /metrics sums their counters', async () => {
    expect(output.stdout.match(/"msg":"gateway listening"/g)).toHaveLength(2);
    const statuses = await untilBothWorkersServed('/api/v1/orders');
    expect(statuses.every((status) => status === 200)).toBe(true);

    const metrics = await scrape();
    const [one, two] = [1, 2].map((id) => metrics.value('gateway_worker_requests_total', { worker: String(id) })) as [number, number];
    expect(one).toBeGreaterThan(0);
    expect(two).toBeGreaterThan(0);
    expect(one + two).toBe(statuses.length);
    // Each worker saw only its share: the gateway-wide count is their sum.
    expect(metrics.value('http_server_request_duration_seconds_count', { route: 'orders', status_class: '2xx' })).toBe(statuses.length);
    expect(first.requests).toHaveLength(statuses.length);
    // Process metrics once (from the main thread), not once per thread.
    expect(metrics.text.match(/^process_start_time_seconds\{/gm)).toHaveLength(1);
  });

  it('holds one rate limit for the whole gateway: both workers draw from one bucket per client', async () => {
    const statuses = await untilBothWorkersServed('/api/v1/dispatches', 8);
    // burst 3 (rate 1 per 1000 s): one bucket of 3 in all, not 3 per worker.
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(statuses.length - 3);
    expect((await scrape()).value('gateway_rate_limited_total', { route: 'dispatches' })).toBe(statuses.length - 3);
  });

  it('reports each breaker in its worst state across workers (max), not a sum', async () => {
    // Each worker has its own breakers; one failure opens a worker's "deliveries" breaker.
    const statuses: number[] = [];
    await eventually(
      async () => {
        statuses.push((await send(url, 'POST', '/api/v1/deliveries', { body: '{}' })).status);
        return (await scrape()).value('circuit_breaker_transitions_total', { breaker: 'deliveries', to: 'open' }) === 2;
      },
      { what: 'both workers’ deliveries breakers open' },
    );
    const metrics = await scrape();
    expect(metrics.value('circuit_breaker_state', { breaker: 'deliveries' })).toBe(2); // open; a sum would say 4
    expect(metrics.value('circuit_breaker_state', { breaker: 'orders' })).toBe(0);
    expect(statuses.filter((status) => status === 502)).toHaveLength(2); // one failure per worker, then 503s
    expect(metrics.value('gateway_upstream_errors_total', { route: 'deliveries', kind: 'connect_refused' })).toBe(2);
    expect(metrics.value('gateway_circuit_open_rejections_total', { route: 'deliveries' })).toBe(statuses.length - 2);
  });

  it('reloads every worker on a file change and on SIGHUP, counting each reload once', async () => {
    const reloads = async (result: string) => (await scrape()).value('gateway_route_reloads_total', { result });
    const servedBefore = first.requests.length;
    await replaceFile(routesFile, routes(second.url));
    await eventually(async () => (await reloads('applied')) === 1);
    // Over fresh connections until both workers answered: every command went by the new table.
    const afterChange = await untilBothWorkersServed('/api/v1/orders', 4);
    expect(afterChange.every((status) => status === 200)).toBe(true);
    expect(second.requests).toHaveLength(afterChange.length);
    expect(first.requests).toHaveLength(servedBefore);

    child.kill('SIGHUP');
    await eventually(async () => (await reloads('applied')) === 2);

    // An invalid file: refused once for the whole gateway, and both workers keep the table.
    await replaceFile(routesFile, oneRouteYaml('    responseTimeoutMs: -5'));
    await eventually(async () => (await reloads('refused')) === 1);
    expect(output.stdout).toMatch(/"msg":"route reload refused; keeping the current routes"/);
    const afterRefusal = await untilBothWorkersServed('/api/v1/orders', 4);
    expect(afterRefusal.every((status) => status === 200)).toBe(true);
    expect(second.requests).toHaveLength(afterChange.length + afterRefusal.length);
    expect(first.requests).toHaveLength(servedBefore);
    expect(await reloads('applied')).toBe(2);
  });

  it('stops every worker and exits 0 on SIGTERM', async () => {
    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(output.stdout).toMatch(/"workers":2,"msg":"gateway workers stopped"/);
    expect(output.stderr).toBe('');
  });
});
