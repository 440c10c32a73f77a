import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { connect } from 'node:net';
import { eventually } from '@delivery/test-support';
import { send, sendRaw } from './support/send.ts';
import { routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { TestUpstream } from './support/testUpstream.ts';

describe('hostile input', () => {
  let order: TestUpstream;
  let dispatch: TestUpstream;
  let admin: TestUpstream;
  let gateway: TestGateway;
  const total = () => order.arrived + dispatch.arrived;
  /** Whether a request with this X-Request-Id reached any upstream. */
  const reachedUpstream = (requestId: string) => [order, dispatch, admin].some((u) => u.arrivedIds.includes(requestId));

  beforeAll(async () => {
    [order, dispatch, admin] = await Promise.all([TestUpstream.start(), TestUpstream.start(), TestUpstream.start()]);
    gateway = await startTestGateway(routesYaml({ order: order.url, dispatch: dispatch.url, delivery: admin.url }), {
      headersTimeoutMs: 500,
      requestTimeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([order.stop(), dispatch.stop(), admin.stop()]);
  });

  const stillServing = async () => {
    const answer = await send(gateway.url, 'POST', '/api/v1/orders/still-serving/accept');
    expect(answer.status).toBe(200);
  };

  describe('crafted paths', () => {
    it.each([
      ['/api/v1/orders/../../admin', 404],
      ['/api/v1/orders/%2e%2e/%2e%2e/admin', 404],
      ['/api/v1/orders/%2E%2E/%2E%2E/admin', 404],
      ['/api/v1/orders/.%2e/.%2E/admin', 404],
      ['/api/v1/orders/..', 404],
      ['/api/v1/orders/..%2f..%2fadmin', 400],
      ['/api/v1/orders/%2e%2e%2f%2e%2e%2fadmin', 400],
      ['/api/v1/orders/..%5c..%5cadmin', 400],
      ['/api/v1/orders/%252e%252e/%252e%252e/admin', 400],
      ['/api/v1/orders\\..\\..\\admin', 400],
      ['/api/v1/orders/%00/accept', 400],
      ['/../../../etc/passwd', 400],
      ['/api/v1/ordersadmin', 404],
      ['/API/V1/ORDERS', 404],
    ])('%s → %i, and no upstream is called', async (path, status) => {
      const requestId = `crafted-${path}`.replace(/[^\w.:-]/g, '_');
      const answer = await send(gateway.url, 'POST', path, { headers: { 'x-request-id': requestId } });
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(reachedUpstream(requestId)).toBe(false);
      expect(admin.arrived).toBe(0);
    });

    it.each([
      ['//api/v1/orders', 'order', '/api/v1/orders'],
      ['/api/v1//orders///o-1//accept', 'order', '/api/v1/orders/o-1/accept'],
      ['/api/v1/orders/./o-1/./accept', 'order', '/api/v1/orders/o-1/accept'],
      ['/api/v1/dispatches/../orders/o-1/cancel', 'order', '/api/v1/orders/o-1/cancel'],
      ['/api/v1/orders/%2e%2e/dispatches/d-1/accept?x=%2e%2e', 'dispatch', '/api/v1/dispatches/d-1/accept?x=%2e%2e'],
    ])('%s is normalised before matching and forwarded as the %s upstream path %s', async (path, name, forwarded) => {
      const upstream = name === 'order' ? order : dispatch;
      const requestId = `normalised-${path}`.replace(/[^\w.:-]/g, '_');
      const answer = await send(gateway.url, 'POST', path, { headers: { 'x-request-id': requestId } });
      expect(answer.status).toBe(200);
      expect(upstream.request(requestId)?.url).toBe(forwarded);
    });
  });

  describe('bodies', () => {
    it('refuses a declared body over the route limit with 413 without calling the upstream', async () => {
      const answer = await send(gateway.url, 'POST', '/api/v1/orders', {
        headers: { 'x-request-id': 'declared-too-large' },
        body: 'x'.repeat(2048),
      });
      expect(answer.status).toBe(413);
      expect(answer.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(reachedUpstream('declared-too-large')).toBe(false);
      await stillServing();
    });

    it('cuts off a chunked body that grows over the limit with 413 and aborts the upstream request', async () => {
      const requestId = 'chunked-too-large';
      const answer = new Promise<number>((resolve, reject) => {
        const req = request(
          `${gateway.url}/api/v1/orders`,
          { method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked', 'x-request-id': requestId } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('x'.repeat(512));
        eventually(() => order.arrivedIds.includes(requestId)).then(
          () => req.end('y'.repeat(4096)),
          () => req.destroy(new Error('the upstream never got the head of the streamed request')),
        );
      });
      expect(await answer).toBe(413);
      await eventually(() => order.abortedIds.includes(requestId));
      expect(order.request(requestId)).toBeUndefined();
      await stillServing();
    });

    it('refuses an oversized body of a request that may be retried while buffering it', async () => {
      const answer = await send(gateway.url, 'POST', '/api/v1/orders', {
        headers: { 'transfer-encoding': 'chunked', 'idempotency-key': 'big', 'x-request-id': 'buffered-too-large' },
        body: 'x'.repeat(4096),
      });
      expect(answer.status).toBe(413);
      expect(reachedUpstream('buffered-too-large')).toBe(false);
      await stillServing();
    });

    it('sends a chunked DELETE body framed with its length: nothing is smuggled after it', async () => {
      const smuggled = 'POST /api/v1/orders/smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n';
      const body = `{"a":1}${smuggled}`;
      const reply = await sendRaw(
        gateway.url,
        `DELETE /api/v1/orders/o-9 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
          `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
      const seen = order.requests.filter((r) => r.url.startsWith('/api/v1/orders/o-9') || r.url.includes('smuggled'));
      expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([['DELETE', '/api/v1/orders/o-9', body]]);
    });
  });

  describe('JSON bodies are UTF-8 only', () => {
    const utf16 = Buffer.from('{"reason":"r"}', 'utf16le');
    it.each([
      ['application/json; charset=utf-16', 'utf-16', {}],
      ['application/json; Charset="LATIN1"', 'latin1', {}],
      ['application/merge-patch+json; charset=utf-32', 'utf-32', {}],
      ['application/json; charset=utf-16', 'utf-16', { 'transfer-encoding': 'chunked' }],
      ['application/json; charset=utf-16', 'utf-16', { 'transfer-encoding': 'chunked', 'idempotency-key': 'charset-k' }],
    ])('refuses a JSON body declared as %s with 415 naming %s, without calling the upstream', async (contentType, charset, headers) => {
      const requestId = `charset-${charset}-${Object.keys(headers).join('-')}`;
      const answer = await send(gateway.url, 'POST', '/api/v1/orders/o-1/cancel', {
        headers: { 'content-type': contentType, 'x-request-id': requestId, ...headers },
        body: utf16,
      });
      expect(answer.status).toBe(415);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(answer.headers['x-request-id']).toBe(requestId);
      expect(answer.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', charset });
      expect(reachedUpstream(requestId)).toBe(false);
      expect(await gateway.metric('circuit_breaker_state', { breaker: 'orders' })).toBe(0);
      await stillServing();
    });

    it('reads the refused body off the connection: the next request on it is answered, nothing is smuggled', async () => {
      const body = '{"x":"POST /api/v1/orders/smuggled-charset HTTP/1.1"}';
      const reply = await sendRaw(
        gateway.url,
        `POST /api/v1/orders/o-2/cancel HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json; charset=utf-16\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
          'POST /api/v1/orders/after-charset/accept HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      // The second status line follows the first answer's body directly.
      expect(reply.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 415 ', 'HTTP/1.1 200 ']);
      expect(order.requests.filter((r) => r.url.includes('charset')).map((r) => r.url)).toEqual(['/api/v1/orders/after-charset/accept']);
    });

    it.each([
      ['application/json; charset=UTF-8', '{"reason":"r"}'],
      ['application/json; charset=utf8', '{"reason":"r"}'],
      // No body: nothing to decode, whatever the header says (the write service takes an empty body).
      ['application/json; charset=utf-16', undefined],
      // Not JSON: the upstream decides (a write service answers 415 for a type it does not take).
      ['text/csv; charset=latin1', 'a;b'],
    ])('forwards %s unchanged', async (contentType, body) => {
      const requestId = `charset-ok-${contentType}`.replace(/[^\w.:-]/g, '_');
      const answer = await send(gateway.url, 'POST', '/api/v1/orders/o-3/cancel', {
        headers: { 'content-type': contentType, 'x-request-id': requestId },
        ...(body === undefined ? {} : { body }),
      });
      expect(answer.status).toBe(200);
      expect(order.request(requestId)).toMatchObject({ headers: { 'content-type': contentType }, body: body ?? '' });
    });
  });

  describe('headers', () => {
    it.each([
      ['a bare CR inside a header value', 'X-Note: a\rX-Injected: 1\r\n'],
      ['a bare LF inside a header value', 'X-Note: a\nX-Injected: 1\r\n'],
      ['both Content-Length and Transfer-Encoding', 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n'],
      ['two different Content-Lengths', 'Content-Length: 1\r\nContent-Length: 2\r\n'],
      ['a header folded onto the next line', 'X-Note: a\r\n folded\r\n'],
      ['a space before the colon', 'X-Request-Id : smuggled\r\n'],
    ])('refuses %s with 400 problem+json and keeps serving', async (_case, headers) => {
      const before = total();
      const reply = await sendRaw(gateway.url, `POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\n${headers}\r\n`);
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(reply).toContain('Content-Type: application/problem+json; charset=utf-8');
      expect(reply).toContain('"code":"MALFORMED_REQUEST"');
      expect(total()).toBe(before);
      await stillServing();
    });

    it('does not let a request id carry anything but its allowed characters upstream or back', async () => {
      const reply = await sendRaw(
        gateway.url,
        'POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\nX-Request-Id: abc%0d%0aSet-Cookie:%20x=1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
      const id = /X-Request-Id: (.*)\r\n/i.exec(reply)?.[1];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply).not.toMatch(/Set-Cookie/i);
      expect(order.request(String(id))?.url).toBe('/api/v1/orders');
    });
  });

  describe('slow clients', () => {
    it.each([
      ['streamed to the upstream', 'X-Request-Id: slow-streamed\r\n', 'slow-streamed', true],
      ['buffered for retries (Idempotency-Key)', 'X-Request-Id: slow-buffered\r\nIdempotency-Key: slow-1\r\n', 'slow-buffered', false],
    ])('times out a slow-loris body %s with 408 while other requests are served', async (_case, header, requestId, reachesUpstream) => {
      const socket = connect(gateway.port, '127.0.0.1');
      const reply: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => reply.push(chunk));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(`POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\n${header}Content-Length: 100\r\n\r\n{"dribble":`);
      const drip = setInterval(() => socket.write(' '), 200);
      try {
        await stillServing();
        await closed;
      } finally {
        clearInterval(drip);
        socket.destroy();
      }
      const text = Buffer.concat(reply).toString();
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(text).toContain('"code":"REQUEST_TIMEOUT"');
      expect(order.arrivedIds.includes(requestId)).toBe(reachesUpstream);
      await stillServing();
      expect(await gateway.metric('circuit_breaker_state', { breaker: 'orders' })).toBe(0);
    });

    it('closes a connection whose headers never finish (headers timeout) with 408', async () => {
      const started = Date.now();
      const socket = connect(gateway.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write('POST /api/v1/orders HTTP/1.1\r\nHost: gw\r\n');
      const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
      try {
        await closed;
      } finally {
        clearInterval(drip);
      }
      expect(Date.now() - started).toBeLessThan(10_000);
      const text = Buffer.concat(chunks).toString();
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(text).toContain('application/problem+json');
      await stillServing();
    });
  });
});
