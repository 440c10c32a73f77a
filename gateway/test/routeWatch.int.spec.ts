import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@delivery/test-support';
import { send } from './support/send.ts';
import { oneRouteYaml, routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { testResources } from './support/testResources.ts';
import { TestUpstream } from './support/testUpstream.ts';

// Routes reload when the route file changes, not only on SIGHUP: the gateway watches the
// file's directory (a ConfigMap volume swaps a symlink; editors and `mv` replace the file)
// and re-reads the file once changes settle, applying it when its content changed.
const { cleanups, upstreams } = testResources();

async function watchingGateway(yaml: string, routesFile?: string): Promise<TestGateway> {
  const gateway = await startTestGateway(yaml, { watchRoutes: true, ...(routesFile === undefined ? {} : { routesFile }) });
  cleanups.push(() => gateway.close());
  return gateway;
}

/** Replaces the file at once, as `mv`, most editors and config tools do: written next to it, renamed over it. */
async function replaceFile(file: string, text: string): Promise<void> {
  const next = `${file}.next`;
  await writeFile(next, text);
  await rename(next, file);
}

/** A directory laid out like a Kubernetes ConfigMap volume: `routes.yaml -> ..data/routes.yaml`, `..data -> ..<version>`. */
async function configMapVolume(version: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-configmap-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, version));
  await writeFile(join(dir, version, 'routes.yaml'), text);
  await symlink(version, join(dir, '..data'));
  await symlink('..data/routes.yaml', join(dir, 'routes.yaml'));
  return dir;
}

/** The kubelet's update: a new version directory, `..data_tmp` pointing at it renamed over `..data`, the old one removed. */
async function updateConfigMap(dir: string, from: string, to: string, text: string): Promise<void> {
  await mkdir(join(dir, to));
  await writeFile(join(dir, to, 'routes.yaml'), text);
  await symlink(to, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  await rm(join(dir, from), { recursive: true });
}

/** Sends a command until `upstream` receives one: the gateway routes by the new table. */
async function routedTo(gateway: TestGateway, upstream: TestUpstream): Promise<void> {
  await eventually(
    async () => {
      expect((await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}' })).status).toBe(200);
      return upstream.requests.length > 0;
    },
    { what: `a command routed to ${upstream.url}` },
  );
}

describe('route file watching', () => {
  it('reloads when the file is written in place or replaced, and not when its content stays the same', async () => {
    const [first, second, third] = (await upstreams(3)) as [TestUpstream, TestUpstream, TestUpstream];
    const gateway = await watchingGateway(routesYaml({ order: first.url }));
    const unchanged = () => gateway.logs.filter((line) => line.msg === 'route file unchanged; not reloaded').length;

    // Same content, and an unrelated file next to it: read, compared, left alone.
    await replaceFile(gateway.routesFile, routesYaml({ order: first.url }));
    await writeFile(`${gateway.routesFile}.bak`, 'anything');
    await eventually(() => unchanged() > 0);
    expect(await gateway.metric('gateway_route_reloads_total', { result: 'applied' })).toBe(0);

    await writeFile(gateway.routesFile, routesYaml({ order: second.url })); // in place
    await routedTo(gateway, second);
    await replaceFile(gateway.routesFile, routesYaml({ order: third.url }));
    await routedTo(gateway, third);
    expect(await gateway.metric('gateway_route_reloads_total', { result: 'applied' })).toBe(2);
    expect(gateway.logs.filter((line) => line.msg === 'routes reloaded')).toHaveLength(2);
  });

  it('follows a ConfigMap volume whose ..data symlink is swapped to a new directory', async () => {
    const [first, second] = (await upstreams(2)) as [TestUpstream, TestUpstream];
    const dir = await configMapVolume('..2026_01_01_00_00_00.1', routesYaml({ order: first.url }));
    const gateway = await watchingGateway(routesYaml({ order: first.url }), join(dir, 'routes.yaml'));
    expect((await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}' })).status).toBe(200);
    expect(first.requests).toHaveLength(1);

    await updateConfigMap(dir, '..2026_01_01_00_00_00.1', '..2026_01_01_00_05_00.2', routesYaml({ order: second.url }));
    await routedTo(gateway, second);
    expect(await gateway.metric('gateway_route_reloads_total', { result: 'applied' })).toBe(1);
  });

  it('keeps the current routes when the changed file is invalid, says why and counts it refused', async () => {
    const [first, second] = (await upstreams(2)) as [TestUpstream, TestUpstream];
    const gateway = await watchingGateway(routesYaml({ order: first.url }));

    await replaceFile(gateway.routesFile, oneRouteYaml('    responseTimeoutMs: -5'));
    await eventually(async () => (await gateway.metric('gateway_route_reloads_total', { result: 'refused' })) === 1);
    const refusal = gateway.logs.find((line) => line.msg === 'route reload refused; keeping the current routes');
    expect((refusal?.err as { message?: string } | undefined)?.message).toMatch(/route "orders" \(routes\[0\]\) field responseTimeoutMs/);
    expect((await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}' })).status).toBe(200);
    expect(first.requests).toHaveLength(1);

    // Fixed: applied; the invalid version was counted once, not once per event.
    await replaceFile(gateway.routesFile, routesYaml({ order: second.url }));
    await routedTo(gateway, second);
    expect(await gateway.metric('gateway_route_reloads_total', { result: 'applied' })).toBe(1);
    expect(await gateway.metric('gateway_route_reloads_total', { result: 'refused' })).toBe(1);
  });
});
