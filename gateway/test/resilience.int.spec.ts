import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { eventually } from '@delivery/test-support';
import { send, type Answer } from './support/send.ts';
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

describe('dependency unavailable (503 + X-Dependency-Unavailable)', () => {
  const COMMANDS = 20; // well above the breaker's volumeThreshold (4)
  const DEPENDENCY_PROBLEM = JSON.stringify({
    type: 'urn:problem:dependency-unavailable',
    title: 'A service this command depends on is unavailable',
    status: 503,
    code: 'DEPENDENCY_UNAVAILABLE',
    dependency: 'order',
  });
  const problemHeaders = { 'content-type': 'application/problem+json', 'retry-after': '3' };
  const dispatchBreaker = (gateway: TestGateway) => gateway.metric('circuit_breaker_state', { breaker: 'dispatches' });

  /** The dispatch route on its own upstream; the order service is down (nothing listens on its port). */
  async function dispatchRoute(): Promise<{ dispatch: TestUpstream; gateway: TestGateway }> {
    const dispatch = await upstream();
    const orderDown = `http://127.0.0.1:${await closedPort()}`;
    // A reset timeout far beyond the test: an opened breaker stays open, so every count is exact.
    const gateway = await gatewayFor(routesYaml({ order: orderDown, dispatch: dispatch.url }, { breaker: { resetTimeoutMs: 600_000 } }));
    return { dispatch, gateway };
  }

  /** COMMANDS commands one after the other, each with its own Idempotency-Key (retries allowed) and request id. */
  async function sendCommands(gateway: TestGateway, prefix: string) {
    const answers = [];
    for (let i = 0; i < COMMANDS; i++) {
      const headers = { 'idempotency-key': `${prefix}-key-${i}`, 'x-request-id': `${prefix}-${i}`, 'content-type': 'application/json' };
      answers.push(await send(gateway.url, 'POST', '/api/v1/dispatches', { headers, body: '{"orderId":"o-1"}' }));
    }
    return answers;
  }

  it('passes every answer through, never retries it, and keeps the dispatch breaker closed while the order service is down', async () => {
    const { dispatch, gateway } = await dispatchRoute();
    dispatch.fallback = reply(503, DEPENDENCY_PROBLEM, { ...problemHeaders, 'X-Dependency-Unavailable': 'order' });

    const answers = await sendCommands(gateway, 'dep');
    const ids = answers.map((_, i) => `dep-${i}`);
    const passedThrough = (a: Answer) => {
      const { 'content-type': type, 'retry-after': retryAfter, 'x-dependency-unavailable': dependency, 'x-request-id': id } = a.headers;
      return [a.status, type, retryAfter, dependency, id, a.body];
    };
    expect(answers.map(passedThrough)).toEqual(ids.map((id) => [503, 'application/problem+json', '3', 'order', id, DEPENDENCY_PROBLEM]));
    expect(answers[0]?.json()).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    // Each command reached the dispatch service exactly once, in order: no retry despite the Idempotency-Key.
    expect(dispatch.arrivedIds).toEqual(ids);
    expect(dispatch.requests).toHaveLength(COMMANDS);

    expect(await dispatchBreaker(gateway)).toBe(0);
    expect(await gateway.metric('circuit_breaker_transitions_total', { breaker: 'dispatches' })).toBe(0);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'dispatches', kind: 'dependency_unavailable' })).toBe(COMMANDS);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'dispatches', kind: 'status_5xx' })).toBe(0);
    expect(await gateway.metric('gateway_retries_total', { route: 'dispatches' })).toBe(0);
    expect(await gateway.metric('gateway_circuit_open_rejections_total', { route: 'dispatches' })).toBe(0);
    const last = `dep-${COMMANDS - 1}`;
    await eventually(() => gateway.accessLog(last) !== undefined);
    expect(gateway.accessLog(last)).toMatchObject({ status: 503, attempts: 1, breaker: 'closed', error: 'dependency_unavailable' });

    // The next command the dispatch service can decide on its own is forwarded, not short-circuited.
    dispatch.fallback = reply(201, '{"dispatchId":"d-1"}', { 'content-type': 'application/json' });
    const next = await send(gateway.url, 'POST', '/api/v1/dispatches', { headers: { 'x-request-id': 'dep-next' }, body: '{}' });
    expect([next.status, next.body]).toEqual([201, '{"dispatchId":"d-1"}']);
    expect(dispatch.arrivedIds).toEqual([...ids, 'dep-next']);
    expect(await dispatchBreaker(gateway)).toBe(0);
  });

  it('contrast: the same commands answered by plain 503s (no X-Dependency-Unavailable) open the breaker', async () => {
    const { dispatch, gateway } = await dispatchRoute();
    const plain = '{"code":"SERVICE_UNAVAILABLE","status":503}';
    dispatch.fallback = reply(503, plain, problemHeaders);

    const answers = await sendCommands(gateway, 'plain');
    // Command 0: three attempts (Idempotency-Key: a 503 is retried), the last 503 passed through.
    // Command 1: its first attempt is the 4th failure in 4 calls, the breaker opens, the retry is refused.
    // Commands 2..19: refused by the open breaker without calling the dispatch service.
    expect(answers.map((a) => [a.status, a.json().code])).toEqual([
      [503, 'SERVICE_UNAVAILABLE'],
      ...Array.from({ length: COMMANDS - 1 }, () => [503, 'CIRCUIT_OPEN']),
    ]);
    expect(answers[0]?.body).toBe(plain);
    expect(dispatch.arrivedIds).toEqual(['plain-0', 'plain-0', 'plain-0', 'plain-1']);
    expect(await dispatchBreaker(gateway)).toBe(2);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'dispatches', kind: 'status_5xx' })).toBe(4);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'dispatches', kind: 'dependency_unavailable' })).toBe(0);
    expect(await gateway.metric('gateway_retries_total', { route: 'dispatches', kind: 'status_5xx' })).toBe(3);
    expect(await gateway.metric('gateway_circuit_open_rejections_total', { route: 'dispatches' })).toBe(COMMANDS - 1);
  });

  it('closes a half-open breaker whose probe is answered with a dependency outage: the upstream itself is back', async () => {
    const dispatch = await upstream();
    // resetTimeoutMs leaves ample time for the checks made while the breaker is open.
    const gateway = await gatewayFor(
      routesYaml({ order: dispatch.url, dispatch: dispatch.url }, { retry: { retries: 0 }, breaker: { resetTimeoutMs: 1500 } }),
    );
    dispatch.fallback = reply(500, '{"code":"INTERNAL"}', { 'content-type': 'application/problem+json' });
    const failing = [];
    for (let i = 0; i < 5; i++) failing.push((await send(gateway.url, 'POST', '/api/v1/dispatches')).status);
    expect(failing).toEqual([500, 500, 500, 500, 503]); // volumeThreshold 4, then open
    expect(await dispatchBreaker(gateway)).toBe(2);

    dispatch.fallback = reply(503, DEPENDENCY_PROBLEM, { ...problemHeaders, 'X-Dependency-Unavailable': 'order' });
    await eventually(async () => (await dispatchBreaker(gateway)) === 1); // half-open after resetTimeoutMs
    const probe = await send(gateway.url, 'POST', '/api/v1/dispatches', { headers: { 'x-request-id': 'probe' } });
    expect([probe.status, probe.headers['x-dependency-unavailable'], probe.body]).toEqual([503, 'order', DEPENDENCY_PROBLEM]);
    expect(dispatch.arrivedIds.at(-1)).toBe('probe');
    expect(dispatch.arrived).toBe(5);
    expect(await dispatchBreaker(gateway)).toBe(0);
    const changes = gateway.logs.filter((line) => line.msg === 'circuit breaker state changed' && line.breaker === 'dispatches');
    expect(changes.map((line) => line.to)).toEqual(['open', 'half-open', 'closed']);
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
