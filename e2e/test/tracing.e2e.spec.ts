import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Platform } from '@delivery/infra';
import { commandClient, createThrowawayDatabase, eventually, type ThrowawayDatabase } from '@delivery/test-support';
import { idOf, newCustomerOrder, viewEventually, type Surfaces } from './support/orderJourney.ts';
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlpReceiver.ts';
import { startWholeSystem } from './support/wholeSystem.ts';

/**
 * Traces across the event path (docs/observability.md, "Traces"): the platform exports to a
 * receiver of the test's own (OTLP/HTTP, JSON), and one command through the gateway is one
 * trace whose spans go gateway → write service → relay publish → projection, each the parent
 * of the next, all carrying the request id.
 */
describe('a command is one trace from the gateway to the stored view', () => {
  let receiver: OtlpReceiver;
  let orderDatabase: ThrowawayDatabase;
  let platform: Platform;
  let surfaces: Surfaces;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // An outbox of the suite's own: its order service's relay is the one that publishes its
    // rows (on the shared schema, the lease may be held by another platform's relay).
    orderDatabase = await createThrowawayDatabase('tracing_order');
    platform = await startWholeSystem(
      'tracing',
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200', ORDER_DATABASE_URL: orderDatabase.url },
      { skipHistory: true },
    );
    surfaces = { gateway: platform.urls.GATEWAY_URL!, readModel: platform.urls.READ_MODEL_URL! };
  }, 180_000);

  afterAll(async () => {
    await platform.stop();
    await receiver.close();
    await orderDatabase.drop();
  }, 60_000);

  /** The four spans of one PlaceOrder's trace, once all have been exported. */
  const pathOf = (traceId: string) =>
    eventually(
      () => {
        const spans = receiver.spans.filter((s) => s.traceId === traceId);
        const gateway = spans.find((s) => s.service === 'gateway' && s.kind === SPAN_KIND.server);
        const command = spans.find((s) => s.service === 'order-service' && s.kind === SPAN_KIND.server);
        const publish = spans.find((s) => s.service === 'order-service' && s.kind === SPAN_KIND.producer);
        const projection = spans.find((s) => s.service === 'read-model' && s.kind === SPAN_KIND.consumer);
        return gateway && command && publish && projection && { gateway, command, publish, projection, spans };
      },
      {
        // A guard against hangs: the four spans arrive within a second on an idle machine.
        timeoutMs: 30_000,
        intervalMs: 100,
        what: () =>
          `spans of trace ${traceId} from the gateway, the order service (command, publish) and the read model; received: ${JSON.stringify(
            receiver.spans.filter((s) => s.traceId === traceId).map((s) => [s.service, s.name]),
          )}`,
      },
    );

  it("continues a client's traceparent through the write service, the outbox, Kafka and the projection", async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const requestId = `trace-e2e-${randomUUID()}`;
    const placed = await commandClient(surfaces.gateway).send('POST', '/api/v1/orders', newCustomerOrder(), {
      traceparent: `00-${traceId}-${clientSpanId}-01`,
      'x-request-id': requestId,
    });
    expect(placed.status).toBe(201);
    const orderId = idOf(placed, 'orderId');

    const { gateway, command, publish, projection, spans } = await pathOf(traceId);
    // One trace, each hop the child of the one before.
    expect(gateway.parentSpanId).toBe(clientSpanId);
    expect(command.parentSpanId).toBe(gateway.spanId);
    expect(publish.parentSpanId).toBe(command.spanId);
    expect(projection.parentSpanId).toBe(publish.spanId);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    // The request id stays the correlation id: on every span of the path.
    for (const span of [gateway, command, publish, projection]) expect(span.attributes['request.id']).toBe(requestId);
    expect(gateway).toMatchObject({ name: 'POST orders', attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201 } });
    expect(command).toMatchObject({ name: 'PlaceOrder', attributes: { 'http.route': '/api/v1/orders', 'http.response.status_code': 201 } });
    expect(publish).toMatchObject({ name: 'publish order.event', attributes: { 'messaging.destination.name': 'order.event', 'event.type': 'OrderPlaced' } });
    expect(projection).toMatchObject({ name: 'process order.event', attributes: { 'messaging.kafka.message.key': orderId, 'read_model.outcome': 'projected' } });
    // The projection span ends once the view is stored.
    await viewEventually(surfaces, `/api/v1/orders/${orderId}`, (v) => v.stage === 'PLACED', 5000);
    expect(receiver.refused).toEqual([]);
  }, 60_000);

  it('starts the trace at the gateway when the client sends no traceparent', async () => {
    const requestId = `trace-e2e-${randomUUID()}`;
    const placed = await commandClient(surfaces.gateway).send('POST', '/api/v1/orders', newCustomerOrder(), { 'x-request-id': requestId });
    expect(placed.status).toBe(201);
    const root: ReceivedSpan = await eventually(
      () => receiver.spans.find((s) => s.service === 'gateway' && s.attributes['request.id'] === requestId),
      { timeoutMs: 15_000, intervalMs: 100, what: `the gateway's span of request ${requestId}` },
    );
    expect(root.parentSpanId).toBe('');
    const { command, projection } = await pathOf(root.traceId);
    expect(command.parentSpanId).toBe(root.spanId);
    expect(projection.attributes['request.id']).toBe(requestId);
  }, 60_000);
});
