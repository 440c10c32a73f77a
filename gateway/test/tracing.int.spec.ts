import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { eventually, inMemoryTracing, type InMemoryTracing } from '@delivery/test-support';
import { send } from './support/send.ts';
import { routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { reply, TestUpstream } from './support/testUpstream.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const CLIENT_TRACEPARENT = `00-${TRACE_ID}-${CLIENT_SPAN}-01`;

describe('traceparent at the gateway', () => {
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await TestUpstream.start();
  });
  afterAll(async () => {
    await upstream.stop();
  });

  describe('tracing off (no OTLP endpoint)', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway(routesYaml({ order: upstream.url, dispatch: upstream.url, delivery: upstream.url }));
    });
    afterAll(async () => {
      await gateway.close();
    });

    it("passes a client's traceparent and tracestate through unchanged", async () => {
      const requestId = 'trace-off-pass';
      await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'x-request-id': requestId, traceparent: CLIENT_TRACEPARENT, tracestate: 'vendor=1' } });
      expect(upstream.request(requestId)?.headers).toMatchObject({ traceparent: CLIENT_TRACEPARENT, tracestate: 'vendor=1' });
    });

    it('adds no traceparent of its own', async () => {
      const requestId = 'trace-off-none';
      await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'x-request-id': requestId } });
      expect(upstream.request(requestId)?.headers.traceparent).toBeUndefined();
    });
  });

  describe('tracing on', () => {
    let gateway: TestGateway;
    let tracing: InMemoryTracing;
    beforeAll(async () => {
      tracing = await inMemoryTracing();
      gateway = await startTestGateway(routesYaml({ order: upstream.url, dispatch: upstream.url, delivery: upstream.url }), {}, { tracing });
    });
    beforeEach(() => {
      tracing.reset();
    });
    afterAll(async () => {
      await gateway.close();
      await tracing.shutdown();
    });

    const spanOf = (requestId: string) =>
      eventually(() => tracing.spans().find((s) => s.attributes['request.id'] === requestId), { what: `the span of ${requestId}` });

    it("continues a client's traceparent: one server span per exchange, whose traceparent goes upstream", async () => {
      const requestId = 'trace-on-client';
      const answer = await send(gateway.url, 'POST', '/api/v1/orders?x=1', { headers: { 'x-request-id': requestId, traceparent: CLIENT_TRACEPARENT } });
      expect(answer.status).toBe(200);
      const span = await spanOf(requestId);
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.name).toBe('POST orders');
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
      expect(span.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.path': '/api/v1/orders',
        'http.response.status_code': 200,
        'gateway.route': 'orders',
        'gateway.upstream': 'order',
        'gateway.attempts': 1,
      });
      expect(upstream.request(requestId)?.headers.traceparent).toBe(`00-${TRACE_ID}-${span.spanContext().spanId}-01`);
      expect(tracing.spans()).toHaveLength(1);
    });

    it.each([
      ['none', 'trace-on-none', undefined],
      ['an all-zero trace id', 'trace-on-zero', `00-${'0'.repeat(32)}-${CLIENT_SPAN}-01`],
      ['version ff', 'trace-on-ff', `ff-${TRACE_ID}-${CLIENT_SPAN}-01`],
      ['upper-case hex', 'trace-on-upper', CLIENT_TRACEPARENT.toUpperCase()],
    ])('starts a new trace when the client sends %s', async (_what, requestId, traceparent) => {
      await send(gateway.url, 'POST', '/api/v1/orders', { headers: { 'x-request-id': requestId, ...(traceparent === undefined ? {} : { traceparent }) } });
      const span = await spanOf(requestId);
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(TRACE_ID);
      expect(upstream.request(requestId)?.headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    });

    it("records the gateway's own answers too (no route: 404), and marks an upstream 5xx as an error", async () => {
      await send(gateway.url, 'POST', '/api/v1/nowhere', { headers: { 'x-request-id': 'trace-on-404' } });
      const notFound = await spanOf('trace-on-404');
      expect(notFound.name).toBe('POST');
      expect(notFound.attributes['http.response.status_code']).toBe(404);
      expect(notFound.status.code).toBe(SpanStatusCode.UNSET);

      upstream.paths.set('POST /api/v1/orders/o-5/accept', reply(500, '{}', { 'content-type': 'application/json' }));
      await send(gateway.url, 'POST', '/api/v1/orders/o-5/accept', { headers: { 'x-request-id': 'trace-on-500' } });
      const failed = await spanOf('trace-on-500');
      expect(failed.attributes['http.response.status_code']).toBe(500);
      expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    });
  });
});
