import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { MongoClient } from 'mongodb';
import { mongoUrl } from '@delivery/infra';
import { createLogger, createRegistry } from '@delivery/runtime-kit';
import { inMemoryTracing, type InMemoryTracing } from '@delivery/test-support';
import { CONTRACT_TOPICS } from '../src/config/index.ts';
import { BatchProjector } from '../src/consumer/batchProjector.ts';
import type { DeadLetter, DeadLetterPublisher, SourceMessage } from '../src/consumer/deadLetters.ts';
import { createReadModelMetrics } from '../src/readModelMetrics.ts';
import { ensureIndexes, viewCollections, ViewStore } from '../src/repository/index.ts';
import { Journey } from './support/journey.ts';
import { isolatedNames } from './support/readModelHarness.ts';

/** The projection's spans (docs/observability.md, "Traces"): the last hop of a command's trace. */
const client = new MongoClient(mongoUrl());
const db = client.db(isolatedNames('projection-spans').MONGO_DATABASE);
const views = viewCollections(db, 1);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PUBLISH_SPAN = '00f067aa0ba902b7';

let tracing: InMemoryTracing;
const parked: DeadLetter[] = [];
let failNextStore = false;

const projector = () =>
  new BatchProjector({
    topics: CONTRACT_TOPICS,
    store: new (class extends ViewStore {
      override applyWrites(...args: Parameters<ViewStore['applyWrites']>) {
        if (failNextStore) {
          failNextStore = false;
          return Promise.reject(new Error('MongoDB is away'));
        }
        return super.applyWrites(...args);
      }
    })(),
    views: () => Promise.resolve(views),
    deadLetters: { publish: (letters: readonly DeadLetter[]) => Promise.resolve(void parked.push(...letters)) } as unknown as DeadLetterPublisher,
    metrics: createReadModelMetrics(createRegistry('read-model')),
    logger: createLogger('projection-spans-test', 'silent'),
    tracing,
  });

let offset = 0;
const message = (value: string, headers: Record<string, string>): SourceMessage => ({
  topic: CONTRACT_TOPICS.order,
  partition: 0,
  offset: String(offset++),
  key: Buffer.from('key'),
  value: Buffer.from(value),
  headers,
});

beforeAll(async () => {
  tracing = await inMemoryTracing();
  await ensureIndexes(views);
});
afterAll(async () => {
  await tracing.shutdown();
  await db.dropDatabase();
  await client.close();
});

describe('projection spans', () => {
  it("records a consumer span per message, child of the publish span the message's traceparent names, ending once stored", async () => {
    tracing.reset();
    const j = new Journey().place();
    const event = j.events[0]!;
    await projector().project([
      message(JSON.stringify(event), { traceparent: `00-${TRACE_ID}-${PUBLISH_SPAN}-01`, 'correlation-id': 'req-1', 'event-type': 'OrderPlaced' }),
      message('not json', { 'correlation-id': 'req-2' }),
    ]);
    expect(await views.orders.findOne({ _id: j.orderId })).toBeTruthy();
    const [projected, poisoned] = tracing.spans();
    expect(projected).toMatchObject({ name: `process ${CONTRACT_TOPICS.order}`, kind: SpanKind.CONSUMER });
    expect(projected!.spanContext().traceId).toBe(TRACE_ID);
    expect(projected!.parentSpanContext?.spanId).toBe(PUBLISH_SPAN);
    expect(projected!.attributes).toMatchObject({
      'request.id': 'req-1',
      'messaging.system': 'kafka',
      'messaging.destination.name': CONTRACT_TOPICS.order,
      'event.type': 'OrderPlaced',
      'read_model.outcome': 'projected',
    });
    expect(projected!.status.code).toBe(SpanStatusCode.UNSET);
    // No traceparent: a trace of its own; parked: an error with the reason.
    expect(poisoned!.parentSpanContext).toBeUndefined();
    expect(poisoned!.attributes).toMatchObject({ 'request.id': 'req-2', 'read_model.outcome': 'dead_lettered' });
    expect(poisoned!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('not JSON') });
    expect(parked).toHaveLength(1);
  });

  it('ends the spans of a chunk that could not be stored as errors (the chunk is retried under new spans)', async () => {
    tracing.reset();
    failNextStore = true;
    const event = new Journey().place().events[0]!;
    await expect(projector().project([message(JSON.stringify(event), { traceparent: `00-${TRACE_ID}-${PUBLISH_SPAN}-01` })])).rejects.toThrow('MongoDB is away');
    expect(tracing.spans().map((s) => [s.attributes['read_model.outcome'], s.status.code])).toEqual([['retried', SpanStatusCode.ERROR]]);
  });
});
