import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { eventually } from '@delivery/test-support';
import { send } from './support/send.ts';
import { oneRouteYaml, routesFileWith, routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { testResources } from './support/testResources.ts';
import { TestUpstream } from './support/testUpstream.ts';
import { startGateway } from '../src/index.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const { cleanups, upstreams } = testResources();

async function gatewayFor(yaml: string): Promise<TestGateway> {
  const gateway = await startTestGateway(yaml);
  cleanups.push(() => gateway.close());
  return gateway;
}

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=source', MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', GATEWAY_ADMIN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

const INVALID = oneRouteYaml('    responseTimeoutMs: -5');

describe('route file validation', () => {
  it('refuses to start on an invalid file, naming the route and the field', async () => {
    const routesFile = await routesFileWith(INVALID);
    await expect(startGateway({ port: 0, routesFile, upstreamUrls: {} })).rejects.toThrow(
      /invalid routes file .*routes\.yaml: route "orders" \(routes\[0\]\) field responseTimeoutMs: .*>0/,
    );
  });

  it('refuses a route that would hide the gateway\'s own endpoints', async () => {
    const routesFile = await routesFileWith(`
upstreams: { order: { url: "http://127.0.0.1:8081" } }
routes: [ { name: everything, path: "/**", upstream: order } ]
`);
    await expect(startGateway({ port: 0, routesFile, upstreamUrls: {} })).rejects.toThrow(
      /route "everything" field path: \/\*\* would hide the gateway's own \/health\/live/,
    );
  });

  it('stops the process (node gateway/src/main.ts) with exit code 1 and the reason on stderr', async () => {
    const routesFile = await routesFileWith(INVALID);
    const { child, output } = runMain({ GATEWAY_ROUTES_FILE: routesFile });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(output.stderr).toMatch(/gateway: invalid routes file .*route "orders" \(routes\[0\]\) field responseTimeoutMs/);
  });
});

describe('reload', () => {
  it('swaps routes without failing requests in flight; new requests take the new routes', async () => {
    const [before, after] = await upstreams(2) as [TestUpstream, TestUpstream];
    const held: (() => void)[] = [];
    before.fallback = (_req, res) => held.push(() => res.end('{"from":"before"}'));
    after.fallback = (_req, res) => res.end('{"from":"after"}');
    const gateway = await gatewayFor(routesYaml({ order: before.url }));

    const inFlight = Array.from({ length: 5 }, () => send(gateway.url, 'POST', '/api/v1/orders', { body: '{}' }));
    await eventually(() => held.length === 5);
    await gateway.writeRoutes(routesYaml({ order: after.url }));
    await gateway.reload();
    expect((await send(gateway.url, 'POST', '/api/v1/orders')).body).toBe('{"from":"after"}');

    for (const release of held) release();
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => [a.status, a.body])).toEqual(Array(5).fill([200, '{"from":"before"}']));
    expect(await gateway.metric('gateway_route_reloads_total', { result: 'applied' })).toBe(1);
  });

  it('keeps serving every request of a steady stream across reloads', async () => {
    const [first, second] = await upstreams(2) as [TestUpstream, TestUpstream];
    const gateway = await gatewayFor(routesYaml({ order: first.url }));
    let stop = false;
    const statuses: number[] = [];
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) statuses.push((await send(gateway.url, 'POST', '/api/v1/orders/o/accept', { body: '{}' })).status);
    });
    for (const target of [second, first, second]) {
      const seen = statuses.length;
      await eventually(() => statuses.length > seen + 20);
      await gateway.writeRoutes(routesYaml({ order: target.url }));
      await gateway.reload();
      statuses.push(-1);
    }
    await eventually(() => statuses.length > 100);
    stop = true;
    await Promise.all(clients);
    expect(statuses.filter((s) => s !== 200 && s !== -1)).toEqual([]);
    expect(first.requests.length).toBeGreaterThan(0);
    expect(second.requests.length).toBeGreaterThan(0);
    // Every answer came from exactly one upstream request: none lost, none sent twice.
    expect(first.requests.length + second.requests.length).toBe(statuses.filter((s) => s === 200).length);
  });

  it('keeps the current routes when the new file is invalid, and says why', async () => {
    const [order] = await upstreams(1) as [TestUpstream];
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    await gateway.writeRoutes(INVALID);
    await expect(gateway.reload()).rejects.toThrow(/route "orders" \(routes\[0\]\) field responseTimeoutMs/);
    expect((await send(gateway.url, 'POST', '/api/v1/orders')).status).toBe(200);
    expect(order.requests).toHaveLength(1);
    expect(gateway.logs.some((line) => line.msg === 'route reload refused; keeping the current routes')).toBe(true);
    expect(await gateway.metric('gateway_route_reloads_total', { result: 'refused' })).toBe(1);
  });

  it('reloads on SIGHUP in the real process, and stops cleanly on SIGTERM', async () => {
    const [first, second] = await upstreams(2) as [TestUpstream, TestUpstream];
    const routesFile = await routesFileWith(routesYaml({ order: first.url }));
    // Watching off: the reloads below must come from the signal alone.
    const { child, output } = runMain({ GATEWAY_ROUTES_FILE: routesFile, GATEWAY_ROUTES_WATCH: 'false' });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await eventually(() => /"msg":"gateway listening"/.test(output.stdout), 15_000);
    const port = Number(/"port":(\d+),"msg":"gateway listening"/.exec(output.stdout)?.[1]);
    const url = `http://127.0.0.1:${port}`;
    expect((await send(url, 'POST', '/api/v1/orders')).status).toBe(200);
    expect(first.requests).toHaveLength(1);

    await writeFile(routesFile, routesYaml({ order: second.url }));
    child.kill('SIGHUP');
    await eventually(() => output.stdout.includes('"msg":"routes reloaded"'));
    expect((await send(url, 'POST', '/api/v1/orders')).status).toBe(200);
    expect(second.requests).toHaveLength(1);

    await writeFile(routesFile, INVALID);
    child.kill('SIGHUP');
    await eventually(() => output.stdout.includes('route reload refused'));
    expect((await send(url, 'POST', '/api/v1/orders')).status).toBe(200);
    expect(second.requests).toHaveLength(2);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});
