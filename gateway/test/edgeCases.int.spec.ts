import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { eventually } from '@delivery/test-support';
import { send, sendRaw } from './support/send.ts';
import { routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { TestUpstream } from './support/testUpstream.ts';

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The value of one header of a raw HTTP/1.1 answer. */
function rawHeader(reply: string, name: string): string | undefined {
  const head = reply.split('\r\n\r\n')[0] ?? '';
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Opens a connection, writes `head`, and resolves with the first bytes the server sends back (and the socket). */
function firstBytes(port: number, head: string): Promise<{ first: string; socket: ReturnType<typeof connect>; rest: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let resolved = false;
    let closed: (text: string) => void = () => undefined;
    const rest = new Promise<string>((r) => (closed = r));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!resolved) {
        resolved = true;
        resolve({ first: chunk.toString(), socket, rest });
      }
    });
    socket.on('close', () => {
      closed(Buffer.concat(chunks).toString());
      if (!resolved) reject(new Error(`closed without an answer (${Buffer.concat(chunks).toString()})`));
    });
    socket.on('error', () => undefined);
    socket.write(head);
  });
}

describe('edge cases (issue #16)', () => {
  let order: TestUpstream;
  let dispatch: TestUpstream;
  let gateway: TestGateway;
  const reachedUpstream = (requestId: string) => [order, dispatch].some((u) => u.arrivedIds.includes(requestId));

  beforeAll(async () => {
    [order, dispatch] = await Promise.all([TestUpstream.start(), TestUpstream.start()]);
    gateway = await startTestGateway(routesYaml({ order: order.url, dispatch: dispatch.url }, { responseTimeoutMs: 500 }), {
      headersTimeoutMs: 500,
      requestTimeoutMs: 5000,
      admin: true,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([order.stop(), dispatch.stop()]);
  });

  const stillServing = async () => {
    expect((await send(gateway.url, 'POST', '/api/v1/orders/still-serving/accept')).status).toBe(200);
  };

  describe('retry safety is judged on what is forwarded', () => {
    it('forwards an Idempotency-Key the client named in Connection with every attempt, so its retries stay safe', async () => {
      const requestId = 'hop-by-hop-key';
      const forwarded: IncomingHttpHeaders[] = [];
      order.onHeadFor.set(requestId, (req) => forwarded.push(req.headers)); // paused: never answers
      const answer = await send(gateway.url, 'POST', '/api/v1/orders', {
        headers: { 'idempotency-key': 'k', connection: 'keep-alive, Idempotency-Key', 'x-request-id': requestId },
        body: '{"customerId":"c"}',
      });
      expect(answer.status).toBe(504);
      expect(answer.json()).toMatchObject({ status: 504, code: 'GATEWAY_TIMEOUT' });
      // Retried (the key makes it safe), and every attempt carried the key, so the write service
      // runs the command once whatever the number of attempts: the retry decision and what is
      // forwarded agree, and `Connection` did not silently take idempotency away.
      await eventually(() => gateway.accessLog(requestId) !== undefined);
      const attempts = Number(gateway.accessLog(requestId)?.attempts);
      expect(gateway.accessLog(requestId)).toMatchObject({ status: 504, error: 'timeout' });
      expect(attempts).toBeGreaterThan(1);
      expect(forwarded).toHaveLength(attempts);
      expect(forwarded.map((headers) => headers['idempotency-key'])).toEqual(forwarded.map(() => 'k'));
      expect(forwarded.map((headers) => headers.connection ?? '')).not.toContain('Idempotency-Key');
    });
  });

  describe('X-Request-Id on every answer', () => {
    it.each([
      ['400 (malformed framing)', 'POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400],
      ['431 (headers too large)', `POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['408 (headers not received in time)', 'POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\n', 408],
    ])('answers of the client-error handler carry one: %s', async (_case, bytes, status) => {
      const reply = await sendRaw(gateway.url, bytes);
      expect(reply).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(rawHeader(reply, 'Content-Type')).toBe(PROBLEM_JSON);
      expect(rawHeader(reply, 'X-Request-Id')).toMatch(UUID);
    });

    it.each([
      ['GET', '/metrics', 200],
      ['GET', '/routes', 200],
      ['GET', '/health/live', 200],
      ['GET', '/health/ready', 200],
      ['GET', '/no-such-admin-path', 404],
      ['POST', '/metrics', 404],
    ])('admin port answers carry one: %s %s', async (method, path, status) => {
      const requestId = `admin${path.replaceAll('/', '-')}-${method}`;
      const kept = await send(gateway.adminUrl, method, path, { headers: { 'x-request-id': requestId } });
      expect(kept.status).toBe(status);
      expect(kept.headers['x-request-id']).toBe(requestId);
      const generated = await send(gateway.adminUrl, method, path);
      expect(generated.headers['x-request-id']).toMatch(UUID);
    });

    it('admin port: a request node refuses is answered with one too', async () => {
      const reply = await sendRaw(gateway.adminUrl, 'GET /metrics HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(rawHeader(reply, 'Content-Type')).toBe(PROBLEM_JSON);
      expect(rawHeader(reply, 'X-Request-Id')).toMatch(UUID);
    });
  });

  describe('unsupported methods', () => {
    it.each([
      ['the public port', () => gateway.url],
      ['the admin port', () => gateway.adminUrl],
    ])('answers CONNECT on %s with 405 problem+json and Allow, then closes', async (_case, base) => {
      const reply = await sendRaw(base(), 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      expect(reply).toMatch(/^HTTP\/1\.1 405 /);
      expect(rawHeader(reply, 'Content-Type')).toBe(PROBLEM_JSON);
      expect(rawHeader(reply, 'Allow')).toBe('POST, PUT, PATCH, DELETE');
      expect(rawHeader(reply, 'X-Request-Id')).toMatch(UUID);
      expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
      await stillServing();
    });

    it.each(['TRACE', 'PROPFIND', 'OPTIONS', 'GET', 'MKCOL'])('answers %s on a route with 405 problem+json and Allow', async (method) => {
      const requestId = `method-${method}`;
      const answer = await send(gateway.url, method, '/api/v1/orders/o-1', { headers: { 'x-request-id': requestId } });
      expect(answer.status).toBe(405);
      expect(answer.headers['content-type']).toBe(PROBLEM_JSON);
      expect(answer.headers.allow).toBe('POST, PUT, PATCH, DELETE');
      expect(answer.headers['x-request-id']).toBe(requestId);
      expect(answer.json()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
      expect(reachedUpstream(requestId)).toBe(false);
    });

    it('answers a method node does not know with 400 problem+json', async () => {
      const reply = await sendRaw(gateway.url, 'FROBNICATE /api/v1/orders HTTP/1.1\r\nHost: gw\r\n\r\n');
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(rawHeader(reply, 'Content-Type')).toBe(PROBLEM_JSON);
      await stillServing();
    });
  });

  describe('Expect: 100-continue', () => {
    it('answers a declared length over the limit with 413 and no 100 Continue before it, without calling the upstream', async () => {
      const requestId = 'expect-too-large';
      const { first, socket, rest } = await firstBytes(
        gateway.port,
        `POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\nX-Request-Id: ${requestId}\r\nContent-Type: application/json\r\n` +
          'Expect: 100-continue\r\nContent-Length: 4096\r\n\r\n',
      );
      try {
        expect(first).toMatch(/^HTTP\/1\.1 413 /);
        expect(first).not.toContain('100 Continue');
        const reply = await rest;
        expect(rawHeader(reply, 'Content-Type')).toBe(PROBLEM_JSON);
        expect(rawHeader(reply, 'X-Request-Id')).toBe(requestId);
        expect(reply).toContain('"code":"PAYLOAD_TOO_LARGE"');
      } finally {
        socket.destroy();
      }
      expect(reachedUpstream(requestId)).toBe(false);
      await stillServing();
    });

    it('contrast: a declared length within the limit gets 100 Continue, then the upstream answer', async () => {
      const requestId = 'expect-ok';
      const { first, socket, rest } = await firstBytes(
        gateway.port,
        `POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n` +
          'Expect: 100-continue\r\nContent-Length: 2\r\n\r\n',
      );
      try {
        expect(first).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
        socket.write('{}');
        expect(await rest).toMatch(/HTTP\/1\.1 200 /);
      } finally {
        socket.destroy();
      }
      expect(order.request(requestId)?.body).toBe('{}');
    });
  });

  describe('Transfer-Encoding', () => {
    it.each(['gzip, chunked', 'chunked, gzip', 'gzip', 'identity', 'chunked, chunked'])(
      'refuses Transfer-Encoding: %s with a problem, without forwarding it',
      async (coding) => {
        const requestId = `coding-${coding.replace(/\W+/g, '-')}`;
        const reply = await sendRaw(
          gateway.url,
          `POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\nX-Request-Id: ${requestId}\r\nTransfer-Encoding: ${coding}\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
        );
        expect(reply).toMatch(/^HTTP\/1\.1 (400|501) /);
        expect(rawHeader(reply, 'Content-Type')).toBe(PROBLEM_JSON);
        expect(reachedUpstream(requestId)).toBe(false);
        await stillServing();
        expect(reachedUpstream(requestId)).toBe(false);
      },
    );
  });

  describe('the public port serves no admin endpoint', () => {
    it.each(['/metrics', '/api/v1/orders/../../../metrics', '/api/v1/orders/%2e%2e/%2e%2e/%2e%2e/metrics', '/routes', '/metrics?x=1'])(
      'GET and POST %s on the public port → 404 problem',
      async (path) => {
        for (const method of ['GET', 'POST']) {
          const answer = await send(gateway.url, method, path);
          expect([method, answer.status, answer.headers['content-type']]).toEqual([method, 404, PROBLEM_JSON]);
          expect(answer.body).not.toContain('gateway_');
          expect(answer.json()).toMatchObject({ status: 404 });
        }
      },
    );

    it('the admin port serves /metrics and /routes', async () => {
      const metrics = await send(gateway.adminUrl, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('gateway_upstream_errors_total');
      const routes = await send(gateway.adminUrl, 'GET', '/routes');
      expect(routes.status).toBe(200);
      expect(routes.json()).toMatchObject({ routes: [{ name: 'orders' }, { name: 'dispatches' }, { name: 'deliveries' }] });
    });
  });
});

describe('whole-exchange deadline (totalTimeoutMs)', () => {
  let order: TestUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    order = await TestUpstream.start();
    // responseTimeoutMs far beyond the test: a 504 can only come from the total deadline.
    gateway = await startTestGateway(routesYaml({ order: order.url }, { totalTimeoutMs: 800, responseTimeoutMs: 50_000, retry: { retries: 0 } }));
  });
  afterAll(async () => {
    await gateway.close();
    await order.stop();
  });

  it('cuts the client connection of an answer whose body stalls, counts a timeout, and keeps serving', async () => {
    const requestId = 'stalled-body';
    const timeouts = await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'timeout' });
    order.onHeadFor.set(requestId, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
    });
    const seen = await new Promise<{ status: number; body: string; end: string }>((resolve) => {
      let status = 0;
      let body = '';
      const req = request(
        `${gateway.url}/api/v1/orders/o-1/accept`,
        { method: 'POST', agent: false, headers: { 'x-request-id': requestId, 'content-length': '0' } },
        (res) => {
          status = res.statusCode ?? 0;
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status, body, end: 'complete' }));
          res.on('error', () => resolve({ status, body, end: 'cut' }));
          res.on('close', () => resolve({ status, body, end: res.complete ? 'complete' : 'cut' }));
        },
      );
      req.on('error', () => resolve({ status, body, end: 'cut' }));
      req.end();
    });
    expect(seen).toEqual({ status: 200, body: '{"partial":', end: 'cut' });
    await eventually(() => order.abortedIds.includes(requestId));
    await eventually(() => gateway.accessLog(requestId) !== undefined);
    expect(gateway.accessLog(requestId)).toMatchObject({ error: 'timeout', attempts: 1 });
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'timeout' })).toBe(timeouts + 1);
    expect((await send(gateway.url, 'POST', '/api/v1/orders')).status).toBe(200);
  });

  it('answers 504 at the total deadline when the upstream never sends its head (totalTimeoutMs < responseTimeoutMs)', async () => {
    const requestId = 'never-headed';
    const timeouts = await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'timeout' });
    order.onHeadFor.set(requestId, () => undefined);
    const answer = await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'x-request-id': requestId }, body: '{}' });
    expect(answer.status).toBe(504);
    expect(answer.headers['x-request-id']).toBe(requestId);
    expect(answer.json()).toMatchObject({ status: 504, code: 'GATEWAY_TIMEOUT' });
    await eventually(() => order.abortedIds.includes(requestId));
    await eventually(() => gateway.accessLog(requestId) !== undefined);
    expect(gateway.accessLog(requestId)).toMatchObject({ status: 504, error: 'timeout', attempts: 1 });
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'timeout' })).toBe(timeouts + 1);
    expect((await send(gateway.url, 'POST', '/api/v1/orders')).status).toBe(200);
  });
});

describe('outlier ejection', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('ejects an instance after consecutiveFailures failures, sends nothing to it while ejected, and tries it again after ejectionMs', async () => {
    const [bad, good] = await Promise.all([TestUpstream.start(), TestUpstream.start()]);
    cleanups.push(() => bad.stop(), () => good.stop());
    bad.onHead = (req) => req.socket.destroy(); // every request reaching it: connection reset
    const ejectionMs = 1000;
    const yaml = stringify({
      defaults: {
        connectTimeoutMs: 500,
        responseTimeoutMs: 2000,
        retry: { retries: 1, initialDelayMs: 10, maxDelayMs: 20 },
        // The route's breaker stays out of it: only the instance is judged here.
        breaker: { volumeThreshold: 1000 },
        rateLimit: false,
      },
      upstreams: { order: { url: [bad.url, good.url], outlierEjection: { consecutiveFailures: 3, ejectionMs } } },
      routes: [{ name: 'orders', path: '/api/v1/orders/**', upstream: 'order' }],
    });
    const gateway = await startTestGateway(yaml);
    cleanups.push(() => gateway.close());
    // An Idempotency-Key (no body): a reset is retried on the other instance, so every client gets its 200.
    let n = 0;
    const command = async () => {
      const requestId = `outlier-${++n}`;
      const answer = await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'x-request-id': requestId, 'idempotency-key': requestId } });
      expect(answer.status).toBe(200);
      return requestId;
    };

    // Round robin: every other request starts on the bad instance; the third failure in a row ejects it.
    for (let i = 0; i < 4; i++) await command();
    expect(bad.arrived).toBe(2);
    const beforeEjection = performance.now();
    const ejecting = await command();
    expect(bad.arrivedIds.at(-1)).toBe(ejecting);
    expect(bad.arrived).toBe(3);
    expect(await gateway.metric('gateway_upstream_errors_total', { route: 'orders', kind: 'reset' })).toBe(3);

    // Ejected until at least beforeEjection + ejectionMs: requests answered before then all went to the good instance.
    const connections = bad.connections;
    let connectionsWhileEjected = connections;
    const whileEjected: string[] = [];
    for (let i = 0; i < 6; i++) {
      const requestId = await command();
      if (performance.now() >= beforeEjection + ejectionMs) break;
      whileEjected.push(requestId);
      connectionsWhileEjected = bad.connections;
    }
    expect(whileEjected.length).toBeGreaterThan(0);
    for (const requestId of whileEjected) {
      expect(good.arrivedIds.filter((id) => id === requestId)).toHaveLength(1);
      expect(bad.arrivedIds).not.toContain(requestId);
    }
    expect(connectionsWhileEjected).toBe(connections); // not even a connection attempt

    // Healthy again: once the ejection is over it is tried again, and serves.
    bad.onHead = undefined;
    const retried = await eventually(async () => {
      const requestId = await command();
      return bad.request(requestId) === undefined ? undefined : requestId;
    });
    expect(bad.request(retried)?.url).toBe('/api/v1/orders');
  });
});
