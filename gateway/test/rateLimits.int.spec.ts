import { afterEach, describe, expect, it } from '@jest/globals';
import { send, type Answer } from './support/send.ts';
import { oneRouteYaml, routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { TestUpstream } from './support/testUpstream.ts';

// Rate limits per (route, client address): real upstreams, tight limits from the tests' own
// route files (one token per 100 s: nothing refills while a test runs; refill is covered by
// rateLimiter.unit.spec.ts on a fake clock).
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(): Promise<TestUpstream> {
  const started = await TestUpstream.start();
  cleanups.push(() => started.stop());
  return started;
}

async function gatewayFor(yaml: string): Promise<TestGateway> {
  const gateway = await startTestGateway(yaml);
  cleanups.push(() => gateway.close());
  return gateway;
}

const TIGHT = { rateLimit: { rate: 0.01, burst: 3 } };

function command(gateway: TestGateway, path = '/api/v1/orders', options: Parameters<typeof send>[3] = {}): Promise<Answer> {
  return send(gateway.url, 'POST', path, { body: '{}', headers: { 'content-type': 'application/json', ...options.headers }, ...options });
}

describe('rate limits', () => {
  it('answers 429 problem+json with Retry-After and RateLimit fields once the burst is spent, never calling the upstream', async () => {
    const order = await upstream();
    order.fallback = (_req, res) => res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'order' }).end('{"ok":true}');
    const gateway = await gatewayFor(routesYaml({ order: order.url }, TIGHT));

    const admitted = [await command(gateway), await command(gateway), await command(gateway)];
    expect(admitted.map((a) => [a.status, a.headers['x-upstream'], a.headers['ratelimit-policy'], a.headers.ratelimit])).toEqual([
      [201, 'order', '"orders";q=3;w=300', '"orders";r=2;t=100'],
      [201, 'order', '"orders";q=3;w=300', '"orders";r=1;t=200'],
      [201, 'order', '"orders";q=3;w=300', '"orders";r=0;t=300'],
    ]);

    const refused = await command(gateway, '/api/v1/orders/o-1/accept', { headers: { 'x-request-id': 'limited-1' } });
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('100');
    expect(refused.headers['ratelimit-policy']).toBe('"orders";q=3;w=300');
    expect(refused.headers.ratelimit).toBe('"orders";r=0;t=100');
    expect(refused.headers['x-request-id']).toBe('limited-1');
    expect(refused.json()).toMatchObject({
      type: 'urn:problem:rate-limited',
      status: 429,
      code: 'RATE_LIMITED',
      instance: '/api/v1/orders/o-1/accept',
    });
    expect(order.arrivedIds).not.toContain('limited-1');
    expect(order.arrived).toBe(3);

    expect(gateway.accessLog('limited-1')).toMatchObject({ status: 429, route: 'orders', error: 'rate_limited', attempts: 0 });
    expect(await gateway.metric('gateway_rate_limited_total', { route: 'orders' })).toBe(1);
    expect(await gateway.registry.getSingleMetric('gateway_rate_limit_evictions_total')?.get()).toMatchObject({ values: [{ value: 0 }] });
  });

  it('never counts refusals against the route’s breaker', async () => {
    const order = await upstream();
    const gateway = await gatewayFor(
      routesYaml({ order: order.url }, { ...TIGHT, breaker: { volumeThreshold: 1, errorThresholdPercentage: 1 } }),
    );
    for (let i = 0; i < 3; i++) expect((await command(gateway)).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await command(gateway)).status).toBe(429);
    expect(await gateway.metric('gateway_rate_limited_total', { route: 'orders' })).toBe(20);
    expect(await gateway.metric('circuit_breaker_state', { breaker: 'orders' })).toBe(0);
    expect(await gateway.metric('gateway_upstream_errors_total')).toBe(0);
    expect((await command(gateway, '/api/v1/orders', { localAddress: '127.0.0.2' })).status).toBe(200);
  });

  it('limits every client address and every route on its own', async () => {
    const order = await upstream();
    const gateway = await gatewayFor(routesYaml({ order: order.url }, TIGHT));
    for (let i = 0; i < 3; i++) await command(gateway);
    expect((await command(gateway)).status).toBe(429);
    expect((await command(gateway, '/api/v1/orders', { localAddress: '127.0.0.2' })).status).toBe(200);
    const dispatch = await command(gateway, '/api/v1/dispatches');
    expect([dispatch.status, dispatch.headers.ratelimit]).toEqual([200, '"dispatches";r=2;t=100']);
  });

  it('ignores X-Forwarded-For by default: a client cannot pose as many', async () => {
    const order = await upstream();
    const gateway = await gatewayFor(routesYaml({ order: order.url }, TIGHT));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await command(gateway, '/api/v1/orders', { headers: { 'x-forwarded-for': `198.51.100.${i}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('behind a trusted proxy, counts the address it forwarded, IPv6 clients per /64', async () => {
    const order = await upstream();
    const yaml = `clientAddress: { trustedProxies: 1 }\n${routesYaml({ order: order.url }, TIGHT)}`;
    const gateway = await gatewayFor(yaml);
    const from = (client: string) => command(gateway, '/api/v1/orders', { headers: { 'x-forwarded-for': `203.0.113.50, ${client}` } });
    for (const client of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff:ffff:ffff:ffff']) expect((await from(client)).status).toBe(200);
    expect((await from('2001:db8:1:2::3')).status).toBe(429); // the same /64
    expect((await from('2001:db8:1:3::1')).status).toBe(200); // the next /64
    expect((await from('192.0.2.1')).status).toBe(200);
    // The proxy forwards what it saw; the gateway still appends the peer for the upstream.
    expect(order.requests.at(-1)?.headers['x-forwarded-for']).toBe('203.0.113.50, 192.0.2.1, 127.0.0.1');
  });

  it('leaves a route with rateLimit: false alone, without RateLimit fields', async () => {
    const order = await upstream();
    const yaml = oneRouteYaml('    rateLimit: false', 'defaults:\n  rateLimit: { rate: 0.01, burst: 1 }').replace('http://127.0.0.1:8081', order.url);
    const gateway = await gatewayFor(yaml);
    const answers = await Promise.all(Array.from({ length: 10 }, () => command(gateway)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.some((a) => 'ratelimit' in a.headers || 'ratelimit-policy' in a.headers)).toBe(false);
  });

  it('applies new limits on reload, keeping what each client owes', async () => {
    const order = await upstream();
    const gateway = await gatewayFor(routesYaml({ order: order.url }, { rateLimit: { rate: 0.01, burst: 2 } }));
    const statuses = async (n: number) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) seen.push((await command(gateway)).status);
      return seen;
    };
    expect(await statuses(3)).toEqual([200, 200, 429]);

    await gateway.writeRoutes(routesYaml({ order: order.url }, { rateLimit: { rate: 0.01, burst: 5 } }));
    await gateway.reload();
    expect(await statuses(4)).toEqual([200, 200, 200, 429]); // a bigger bucket: 3 more

    await gateway.writeRoutes(routesYaml({ order: order.url }, { rateLimit: { rate: 0.01, burst: 0 } }));
    await expect(gateway.reload()).rejects.toThrow(/defaults field rateLimit\.burst: Too small/);
    expect(await statuses(1)).toEqual([429]); // a refused file changes nothing

    await gateway.writeRoutes(routesYaml({ order: order.url }, { rateLimit: false }));
    await gateway.reload();
    const unlimited = await command(gateway);
    expect([unlimited.status, unlimited.headers.ratelimit]).toEqual([200, undefined]);

    await gateway.writeRoutes(routesYaml({ order: order.url }, { rateLimit: { rate: 0.01, burst: 5 } }));
    await gateway.reload();
    const back = await command(gateway);
    expect([back.status, back.headers.ratelimit]).toEqual([429, '"orders";r=0;t=100']); // its bucket outlived the unlimited spell
  });
});
