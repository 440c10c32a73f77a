import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { eventually } from '@delivery/test-support';
import { send } from './support/send.ts';
import { routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { closedPort, hangingConnectAddress, reply, TestUpstream } from './support/testUpstream.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(port = 0): Promise<TestUpstream> {
  const started = await TestUpstream.start(port);
  cleanups.push(() => started.stop());
  return started;
}

async function gatewayFor(yaml: string, config: Parameters<typeof startTestGateway>[1] = {}): Promise<TestGateway> {
  const gateway = await startTestGateway(yaml, config);
  cleanups.push(() => gateway.close());
  return gateway;
}

const breakerState = (gateway: TestGateway) => gateway.metric('circuit_breaker_state', { breaker: 'orders' });

describe('circuit breaker', () => {
  it('opens on upstream failures, answers 503 without contacting the upstream, half-opens for one probe, then closes', async () => {
    const order = await upstream();
    // resetTimeoutMs leaves ample time for the checks made while the breaker is open.
    const gateway = await gatewayFor(routesYaml({ order: order.url }, { retry: { retries: 0 }, breaker: { resetTimeoutMs: 1500 } }));
    expect((await send(gateway.url, 'POST', '/api/v1/orders')).status).toBe(200);

    await order.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 8 && statuses.at(-1) !== 503; i++) statuses.push((await send(gateway.url, 'POST', '/api/v1/orders')).status);
    expect(statuses).toEqual([502, 502, 502, 503]); // volumeThreshold 4: 3 of 4 calls failed
    expect(await breakerState(gateway)).toBe(2);

    const back = await upstream(order.port);
    for (let i = 0; i < 3; i++) {
      const answer = await send(gateway.url, 'POST', '/api/v1/orders');
      expect(answer.status).toBe(503);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(answer.json()).toMatchObject({ status: 503, code: 'CIRCUIT_OPEN' });
    }
    expect(back.connections).toBe(0);
    expect(await gateway.metric('gateway_circuit_open_rejections_total', { route: 'orders' })).toBe(4);

    await eventually(async () => (await breakerState(gateway)) === 1); // half-open after resetTimeoutMs
    let releaseProbe = () => {};
    back.paths.set('POST /api/v1/orders', (_req, res) => {
      releaseProbe = () => res.end('{"probe":true}');
    });
    const probe = send(gateway.url, 'POST', '/api/v1/orders');
    await eventually(() => back.requests.length === 1);
    const second = await send(gateway.url, 'POST', '/api/v1/orders'); // while the probe is out
    expect(second.status).toBe(503);
    releaseProbe();
    expect((await probe).status).toBe(200);
    expect(back.requests).toHaveLength(1);

    expect(await breakerState(gateway)).toBe(0);
    back.paths.clear();
    expect((await send(gateway.url, 'POST', '/api/v1/orders')).status).toBe(200);
    const changes = gateway.logs.filter((line) => line.msg === 'circuit breaker state changed').map((line) => line.to);
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('counts 5xx answers as failures but still passes them through unchanged until it opens', async () => {
    const order = await upstream();
    order.fallback = reply(500, '{"code":"INTERNAL"}', { 'content-type': 'application/problem+json' });
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await send(gateway.url, 'POST', '/api/v1/orders'));
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500, 500, 503]);
    expect(answers[0]?.body).toBe('{"code":"INTERNAL"}');
    expect(order.requests).toHaveLength(4);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'status_5xx' })).toBe(4);
  });

  it('stays closed through a storm of 4xx answers', async () => {
    const order = await upstream();
    const statuses = [400, 404, 409, 415, 422];
    let n = 0;
    order.fallback = (_req, res) => {
      res.writeHead(statuses[n++ % statuses.length] ?? 400, { 'content-type': 'application/problem+json' });
      res.end('{}');
    };
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    const seen = await Promise.all(Array.from({ length: 40 }, () => send(gateway.url, 'POST', '/api/v1/orders').then((a) => a.status)));
    expect(seen.every((status) => status >= 400 && status < 500)).toBe(true);
    expect(await breakerState(gateway)).toBe(0);
    expect(order.requests).toHaveLength(40);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'orders' })).toBe(0);
  });
});

describe('timeouts', () => {
  it('answers 504 when the upstream does not answer in time, and aborts the upstream request', async () => {
    const order = await upstream();
    order.onHeadFor.set('never-answered', () => undefined); // never answers this one
    const gateway = await gatewayFor(routesYaml({ order: order.url }, { responseTimeoutMs: 300 }));
    const started = Date.now();
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}', headers: { 'x-request-id': 'never-answered' } });
    expect(answer.status).toBe(504);
    expect(answer.json()).toMatchObject({ status: 504, code: 'GATEWAY_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(10_000); // generous: guards against hangs, not a speed figure
    await eventually(() => order.aborted === 1);
    // A command that reached the upstream is not retried: the exchange ended (its access-log
    // line is written then) after one attempt, and the next request on the route (the marker)
    // is the next to arrive upstream.
    await eventually(() => gateway.accessLog('never-answered') !== undefined);
    expect(gateway.accessLog('never-answered')).toMatchObject({ status: 504, attempts: 1 });
    expect((await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}', headers: { 'x-request-id': 'marker' } })).status).toBe(200);
    expect(order.arrivedIds).toEqual(['never-answered', 'marker']);
    expect(order.abortedIds).toEqual(['never-answered']);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'timeout' })).toBe(1);
  });

  it('answers 504 when the TCP connect does not complete in time', async () => {
    const hanging = await hangingConnectAddress();
    cleanups.push(hanging.release);
    const gateway = await gatewayFor(routesYaml({ order: hanging.url }, { connectTimeoutMs: 200, retry: { retries: 1 } }));
    const started = Date.now();
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}' });
    expect(answer.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The request never reached the upstream, so it was retried once.
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'connect_timeout' })).toBe(2);
    expect(await gateway.metric('gateway_retries_total', { route: 'orders', kind: 'connect_timeout' })).toBe(1);
  });

  it('cuts the client connection when the upstream breaks off mid-answer, and keeps serving', async () => {
    const order = await upstream();
    order.paths.set('POST /api/v1/orders/o-1/accept', (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    await expect(send(gateway.url, 'POST', '/api/v1/orders/o-1/accept')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect((await send(gateway.url, 'POST', '/api/v1/orders')).status).toBe(200);
  });

  it('aborts the upstream request when the client goes away', async () => {
    const order = await upstream();
    order.onHead = () => undefined;
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    const req = request(`${gateway.url}/api/v1/orders`, { method: 'POST', headers: { 'content-length': '2' } });
    req.on('error', () => undefined);
    req.end('{}');
    await eventually(() => order.arrived === 1);
    req.destroy();
    await eventually(() => order.aborted === 1);
    await eventually(() => gateway.logs.some((line) => line.msg === 'request' && line.status === 499));
    expect(await breakerState(gateway)).toBe(0);
  });
});

describe('retries', () => {
  it('does not retry a command without Idempotency-Key once it reached the upstream', async () => {
    const order = await upstream();
    order.onHeadFor.set('reset-once', (req) => req.socket.destroy());
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { body: '{"customerId":"c"}', headers: { 'x-request-id': 'reset-once' } });
    expect(answer.status).toBe(502);
    // The answer ends the exchange after one attempt (its access-log line says so), and the
    // next request on the route (the marker) is the next to arrive upstream.
    await eventually(() => gateway.accessLog('reset-once') !== undefined);
    expect(gateway.accessLog('reset-once')).toMatchObject({ status: 502, attempts: 1 });
    expect((await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}', headers: { 'x-request-id': 'marker' } })).status).toBe(200);
    expect(order.arrivedIds).toEqual(['reset-once', 'marker']);
    expect(await gateway.metric('gateway_retries_total', { route: 'orders' })).toBe(0);
  });

  it('does not retry a 503 of a command without Idempotency-Key: the answer is passed through', async () => {
    const order = await upstream();
    order.fallback = reply(503, 'busy', { 'retry-after': '7' });
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { body: '{}' });
    expect([answer.status, answer.headers['retry-after'], answer.body]).toEqual([503, '7', 'busy']);
    expect(order.requests).toHaveLength(1);
  });

  it('retries a command with Idempotency-Key after a connection reset, with the same body', async () => {
    const order = await upstream();
    order.onHead = (req) => {
      order.onHead = undefined;
      req.socket.destroy();
    };
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    const body = '{"customerId":"c-1","items":[]}';
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'idempotency-key': 'k-reset' }, body });
    expect(answer.status).toBe(200);
    expect(order.arrived).toBe(2);
    expect(order.requests.map((r) => [r.body, r.headers['idempotency-key']])).toEqual([[body, 'k-reset']]);
    expect(await gateway.metric('gateway_retries_total', { route: 'orders', kind: 'reset' })).toBe(1);
  });

  it('retries a command with Idempotency-Key after a 503 and returns the later answer', async () => {
    const order = await upstream();
    let calls = 0;
    order.fallback = (_req, res, body) => {
      res.writeHead(++calls === 1 ? 503 : 201, { 'content-type': 'application/json' });
      res.end(calls === 1 ? '{}' : body);
    };
    const gateway = await gatewayFor(routesYaml({ order: order.url }));
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'idempotency-key': 'k-503' }, body: '{"n":1}' });
    expect([answer.status, answer.body]).toEqual([201, '{"n":1}']);
    expect(calls).toBe(2);
  });

  it('retries a command refused at connect on the next instance, and it succeeds there', async () => {
    const dead = await closedPort();
    const live = await upstream();
    const gateway = await gatewayFor(routesYaml({ order: 'http://127.0.0.1:1' }), {
      upstreamUrls: { ORDER_URL: `http://127.0.0.1:${dead},${live.url}` },
    });
    const body = JSON.stringify({ customerId: 'c', items: [{ menuId: 'm', quantity: 2 }] });
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'x-request-id': 'retry-refused' }, body });
    expect(answer.status).toBe(200);
    expect(live.requests.map((r) => r.body)).toEqual([body]);
    expect(await gateway.metric('gateway_retries_total', { route: 'orders', kind: 'connect_refused' })).toBe(1);
    await eventually(() => gateway.accessLog('retry-refused') !== undefined);
    expect(gateway.accessLog('retry-refused')).toMatchObject({ status: 200, attempts: 2, target: live.url });
  });

  it('retries a command refused at connect until its upstream has started', async () => {
    const port = await closedPort();
    const gateway = await gatewayFor(
      routesYaml({ order: `http://127.0.0.1:${port}` }, { retry: { retries: 6, initialDelayMs: 100, maxDelayMs: 400 } }),
    );
    const answer = send(gateway.url, 'POST', '/api/v1/orders', { body: '{"late":true}' });
    await eventually(async () => (await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'connect_refused' })) >= 1);
    const late = await upstream(port);
    expect((await answer).status).toBe(200);
    expect(late.requests.map((r) => r.body)).toEqual(['{"late":true}']);
  });
});
