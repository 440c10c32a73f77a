import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { eventually } from '@delivery/test-support';
import { send } from './support/send.ts';
import { routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { reply, TestUpstream } from './support/testUpstream.ts';

describe('routing and pass-through', () => {
  let order: TestUpstream;
  let dispatch: TestUpstream;
  let delivery: TestUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    [order, dispatch, delivery] = await Promise.all([TestUpstream.start(), TestUpstream.start(), TestUpstream.start()]);
    gateway = await startTestGateway(routesYaml({ order: order.url, dispatch: dispatch.url, delivery: delivery.url }));
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([order.stop(), dispatch.stop(), delivery.stop()]);
  });

  it.each([
    ['POST', '/api/v1/orders', 'order'],
    ['POST', '/api/v1/orders/11111111-1111-4111-8111-111111111111/accept', 'order'],
    ['PATCH', '/api/v1/orders/11111111-1111-4111-8111-111111111111', 'order'],
    ['POST', '/api/v1/dispatches/22222222-2222-4222-8222-222222222222/cancel', 'dispatch'],
    ['PUT', '/api/v1/deliveries/33333333-3333-4333-8333-333333333333/location?precise=1', 'delivery'],
    ['DELETE', '/api/v1/deliveries/33333333-3333-4333-8333-333333333333', 'delivery'],
  ])('%s %s goes to the %s service with method, path, query and body unchanged', async (method, path, service) => {
    const upstream = { order, dispatch, delivery }[service] as TestUpstream;
    const others = [order, dispatch, delivery].filter((u) => u !== upstream);
    const requestId = `route-${method}-${path}`.replace(/[^\w.:-]/g, '_');
    const body = JSON.stringify({ lat: 37.5, lng: 127.0 });
    const answer = await send(gateway.url, method, path, {
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body,
    });
    expect(answer.status).toBe(200);
    const seen = answer.json();
    expect(seen).toMatchObject({ method, url: path, body });
    expect(upstream.request(requestId)).toMatchObject({ method, url: path, body });
    expect(others.filter((u) => u.arrivedIds.includes(requestId))).toEqual([]);
  });

  it('passes upstream answers through unchanged: a 409 stays a 409 with its headers and body', async () => {
    const problem = JSON.stringify({ type: 'urn:problem:invalid-transition', status: 409, code: 'INVALID_TRANSITION' });
    order.paths.set(
      'POST /api/v1/orders/o-1/accept',
      reply(409, problem, { 'content-type': 'application/problem+json', etag: '"v7"', 'set-cookie': ['a=1', 'b=2'] }),
    );
    const answer = await send(gateway.url, 'POST', '/api/v1/orders/o-1/accept');
    expect(answer.status).toBe(409);
    expect(answer.body).toBe(problem);
    expect(answer.headers).toMatchObject({ 'content-type': 'application/problem+json', etag: '"v7"', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('reaches a command path the upstream added after the gateway started, with no gateway change or reload (zero-change)', async () => {
    const path = '/api/v1/orders/o-2/brand-new-command';
    expect((await send(gateway.url, 'POST', path)).status).toBe(200); // echo: the upstream does not know it yet
    order.paths.set(`POST ${path}`, reply(202, '{"accepted":true}', { 'content-type': 'application/json' }));
    const answer = await send(gateway.url, 'POST', path, { body: '{}' });
    expect(answer.status).toBe(202);
    expect(answer.json()).toEqual({ accepted: true });
  });

  it.each(['GET', 'HEAD', 'OPTIONS'])('answers %s on a routed path with 405 and Allow, without calling the upstream', async (method) => {
    const requestId = `not-routed-${method}`;
    const answer = await send(gateway.url, method, '/api/v1/orders/o-3', { headers: { 'x-request-id': requestId } });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST, PUT, PATCH, DELETE');
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    if (method !== 'HEAD') expect(answer.json()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(order.arrivedIds).not.toContain(requestId);
  });

  it.each(['/api/v1/unknown', '/api/v1/ordersX', '/', '/routes'])('answers an unknown path (%s) with 404 problem+json', async (path) => {
    const answer = await send(gateway.url, 'POST', path);
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(answer.json()).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('removes hop-by-hop headers both ways, sets X-Forwarded-* and rewrites Host to the upstream', async () => {
    order.paths.set(
      'POST /api/v1/orders/o-4/cancel',
      reply(200, '{}', { connection: 'keep-alive, x-upstream-private', 'x-upstream-private': 'internal', 'keep-alive': 'timeout=5', 'x-kept': 'yes' }),
    );
    const answer = await send(gateway.url, 'POST', '/api/v1/orders/o-4/cancel', {
      headers: {
        host: 'api.example.com',
        connection: 'keep-alive, x-client-private',
        'x-client-private': 'secret',
        'keep-alive': 'timeout=30',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        te: 'trailers',
        'x-forwarded-for': '203.0.113.9',
        'idempotency-key': 'cancel-o-4',
        'x-request-id': 'hop-by-hop',
      },
      body: '{"reason":"changed my mind"}',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-kept']).toBe('yes');
    expect(answer.headers['x-upstream-private']).toBeUndefined();
    const seen = order.request('hop-by-hop')?.headers ?? {};
    expect(seen.host).toBe(`127.0.0.1:${order.port}`);
    expect(seen['x-forwarded-host']).toBe('api.example.com');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen['idempotency-key']).toBe('cancel-o-4');
    for (const name of ['x-client-private', 'keep-alive', 'proxy-authorization', 'te']) expect(seen[name]).toBeUndefined();
  });

  it('keeps a valid X-Request-Id, sends it upstream, returns it and logs it in one access-log line', async () => {
    const answer = await send(gateway.url, 'POST', '/api/v1/dispatches', { headers: { 'x-request-id': 'client.trace:42-A_b' }, body: '{}' });
    expect(answer.headers['x-request-id']).toBe('client.trace:42-A_b');
    expect(dispatch.request('client.trace:42-A_b')?.url).toBe('/api/v1/dispatches');
    await eventually(() => gateway.accessLog('client.trace:42-A_b') !== undefined);
    const lines = gateway.logs.filter((line) => line.requestId === 'client.trace:42-A_b' && line.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/dispatches',
      route: 'dispatches',
      status: 200,
      upstream: 'dispatch',
      target: dispatch.url,
      attempts: 1,
      breaker: 'closed',
    });
    expect(typeof lines[0]?.latencyMs).toBe('number');
  });

  it.each([
    ['missing', undefined],
    ['too long', 'x'.repeat(129)],
    ['with a space', 'a b'],
    ['with markup', '<script>'],
    ['empty', ''],
  ])('replaces a %s X-Request-Id with a generated one, used upstream too', async (_case, incoming) => {
    const answer = await send(gateway.url, 'POST', '/api/v1/deliveries', {
      headers: incoming === undefined ? {} : { 'x-request-id': incoming },
      body: '{}',
    });
    const id = answer.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery.request(String(id))?.url).toBe('/api/v1/deliveries');
  });

  it('streams a body that will not be retried: the upstream gets the first part before the client sent the rest', async () => {
    const requestId = 'stream-not-retried';
    let firstPart = '';
    const arrived = new Promise<'arrived'>((resolve) => {
      order.onHeadFor.set(requestId, (req, res) => {
        req.once('data', (chunk: Buffer) => {
          firstPart = chunk.toString();
          resolve('arrived');
          req.resume();
          req.on('end', () => res.end('{}'));
        });
      });
    });
    const client = request(`${gateway.url}/api/v1/orders`, {
      method: 'POST',
      agent: false,
      headers: { 'content-length': '10', 'x-request-id': requestId },
    });
    try {
      const answer = new Promise<number>((resolve, reject) => {
        client.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        client.on('error', reject);
      });
      answer.catch(() => undefined); // destroyed in `finally` when an expectation failed first
      client.write('01234');
      // An answer before the upstream got the first part fails the test with its status and
      // access-log line (a 502 or 408, say) instead of waiting for an arrival that cannot come.
      const first = await Promise.race([
        arrived,
        answer.then(async (status) => {
          await eventually(() => gateway.accessLog(requestId) !== undefined, 1000).catch(() => undefined);
          return `answered ${status} first: ${JSON.stringify(gateway.accessLog(requestId))}`;
        }),
      ]);
      expect(first).toBe('arrived');
      expect(firstPart).toBe('01234');
      client.end('56789');
      expect(await answer).toBe(200);
    } finally {
      order.onHeadFor.delete(requestId);
      client.destroy();
    }
  });

  it('buffers the body of a request that may be retried (Idempotency-Key) and sends it with a Content-Length', async () => {
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', {
      headers: { 'idempotency-key': 'place-1', 'transfer-encoding': 'chunked', 'x-request-id': 'buffered-for-retries' },
      body: '{"customerId":"c"}',
    });
    expect(answer.status).toBe(200);
    const seen = order.request('buffered-for-retries');
    expect(seen?.headers['content-length']).toBe('18');
    expect(seen?.headers['transfer-encoding']).toBeUndefined();
    expect(seen?.body).toBe('{"customerId":"c"}');
  });

  it('reuses keep-alive connections to the upstream instead of opening one per request', async () => {
    const before = delivery.connections;
    for (let i = 0; i < 20; i++) expect((await send(gateway.url, 'POST', '/api/v1/deliveries/d/pickup')).status).toBe(200);
    expect(delivery.connections - before).toBeLessThanOrEqual(1);
  });

  it('exports latency per route and status class, and serves /health/live, /health/ready and /metrics', async () => {
    await send(gateway.url, 'POST', '/api/v1/orders/o-5/accept');
    expect((await send(gateway.url, 'GET', '/health/live')).json()).toEqual({ status: 'UP' });
    expect((await send(gateway.url, 'GET', '/health/ready')).status).toBe(200);
    expect((await send(gateway.url, 'GET', '//health/./live')).status).toBe(200); // normalised like every path
    const metrics = (await send(gateway.adminUrl, 'GET', '/metrics')).body;
    expect(metrics).toMatch(/http_server_request_duration_seconds_count\{[^}]*method="POST",route="orders",status_class="2xx"\} \d+/);
    expect(metrics).toMatch(/http_server_request_duration_seconds_count\{[^}]*route="orders",status_class="4xx"\} \d+/);
    expect(metrics).toMatch(/circuit_breaker_state\{[^}]*breaker="orders"[^}]*\} 0/);
    expect(metrics).toContain('# TYPE gateway_upstream_errors_total counter');
    expect(metrics).toContain('# TYPE gateway_retries_total counter');
  });
});

describe('upstream urls and the admin listing', () => {
  it('takes an upstream url from <NAME>_URL over the file, and lists active routes at GET /routes when enabled', async () => {
    const live = await TestUpstream.start();
    const gateway = await startTestGateway(routesYaml({ order: 'http://127.0.0.1:1' }), {
      upstreamUrls: { ORDER_URL: live.url },
      admin: true,
    });
    try {
      expect((await send(gateway.url, 'POST', '/api/v1/orders')).status).toBe(200);
      expect(live.requests).toHaveLength(1);
      const listing = (await send(gateway.adminUrl, 'GET', '/routes')).json() as { routes: { name: string; upstream: unknown }[] };
      expect(listing.routes.map((r) => r.name)).toEqual(['orders', 'dispatches', 'deliveries']);
      expect(listing.routes[0]?.upstream).toEqual({ name: 'order', urls: [live.url], source: 'ORDER_URL' });
    } finally {
      await gateway.close();
      await live.stop();
    }
  });
});
