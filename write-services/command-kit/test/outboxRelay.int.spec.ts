import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DeliveryEvent } from '@delivery/contracts';
import { kafkaBrokers } from '@delivery/infra';
import { SpanKind } from '@opentelemetry/api';
import { createLogger, Registry, type Tracing } from '@delivery/runtime-kit';
import { createThrowawayDatabase, EventTap, eventually, inMemoryTracing, type ThrowawayDatabase } from '@delivery/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { stampEvents } from '../src/domain/stampEvents.ts';
import { applyMigrations } from '../src/migrations/migrationRunner.ts';
import { createKafkaPublisher } from '../src/outbox/kafkaPublisher.ts';
import { outboxMetrics } from '../src/outbox/outboxMetrics.ts';
import { OutboxRelay, type RelayFaults } from '../src/outbox/outboxRelay.ts';
import { appendToOutbox, readBacklog } from '../src/outbox/outboxTable.ts';
import { mariadbExecutor, type TestExecutor } from './mariadbExecutor.ts';

const migrationsDir = join(import.meta.dirname, '../../../prisma/delivery/migrations');
const logger = createLogger('relay-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const topic = `test.relay.${randomUUID()}`;
const admin = new Kafka({ clientId: 'relay-test-admin', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();

/** `count` location updates of one delivery, versions 1..count, aimed at this suite's own topic. */
function locationEvents(deliveryId: string, fromVersion: number, count: number): DeliveryEvent[] {
  const ref = { orderId: randomUUID(), dispatchId: randomUUID() };
  const drafts = Array.from({ length: count }, (_, i) => ({
    eventType: 'DeliveryLocationUpdated' as const,
    payload: { ...ref, lat: 37 + i / 1000, lng: 127 },
  }));
  return stampEvents<DeliveryEvent>(drafts, 'delivery', fromVersion, {
    aggregateId: deliveryId,
    now: new Date(),
    requestId: 'relay-test',
  });
}

describe('outbox relay (real Kafka, one lease per outbox)', () => {
  let database: ThrowawayDatabase;
  let db: TestExecutor;
  let tap: EventTap;
  const relays: OutboxRelay[] = [];

  // Rows aim at this suite's own topic from the start: the shared delivery.event never sees them.
  const append = (events: DeliveryEvent[]) => appendToOutbox(db, events, () => topic);
  const startRelay = (name: string, options: { faults?: RelayFaults; brokers?: string[]; tracing?: Tracing } = {}) => {
    const registry = new Registry();
    const relay = new OutboxRelay({
      db,
      createPublisher: () =>
        createKafkaPublisher({ brokers: options.brokers ?? kafkaBrokers(), clientId: name, logger, ...(options.tracing ? { tracing: options.tracing } : {}) }),
      logger: logger.child({ relay: name }),
      metrics: outboxMetrics(registry, db),
      instanceId: `${name}-${randomUUID()}`,
      settings: {
        pollIntervalMs: 50,
        lingerMs: 0,
        leaseMs: 1500,
        batchSize: 25,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialDelayMs: 50, maxDelayMs: 400, factor: 2 },
      },
      ...(options.faults ? { faults: options.faults } : {}),
    });
    relays.push(relay);
    relay.start();
    return { relay, registry };
  };
  const versionsOf = (id: string) => tap.eventsOf(id).map((e) => e.version);

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    tap = await EventTap.start(topic);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await db.end();
    await database.drop();
  });
  afterAll(async () => {
    await tap.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
  // Each test gets an outbox of its own.
  const freshOutbox = async () => {
    database = await createThrowawayDatabase('relay');
    await applyMigrations({ databaseUrl: database.url, migrationsDir, logger });
    db = mariadbExecutor(database.url);
  };

  it('given two relays on one outbox when events keep arriving then each is published once, in version order per aggregate', async () => {
    await freshOutbox();
    const a = startRelay('a');
    const b = startRelay('b');
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (let round = 0; round < 15; round++) {
      await append(ids.flatMap((id) => locationEvents(id, round * 2, 2)));
      a.relay.nudge();
      b.relay.nudge();
    }
    await eventually(() => ids.every((id) => tap.eventsOf(id).length >= 30));
    await eventually(async () => (await readBacklog(db)).size === 0);
    expect([a.relay.state, b.relay.state].sort()).toEqual(['leader', 'standby']);
    expect(await readBacklog(db)).toEqual({ size: 0, oldestAgeSeconds: 0 });
    // Stopped relays publish nothing more (stop finishes the cycle in flight). A marker per
    // aggregate, published afterwards by a third relay on the same key, arrives after
    // anything the two ever published: a duplicate would show up before it.
    await Promise.all([a.relay.stop(), b.relay.stop()]);
    startRelay('marker');
    await append(ids.flatMap((id) => locationEvents(id, 30, 1)));
    for (const id of ids) {
      const events = await tap.eventsUntilMarker(id, (event) => event.version === 31);
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    }
    const record = tap.recordsOf(ids[0]!)[0]!;
    expect(record.key).toBe(ids[0]);
    expect(record.headers).toMatchObject({ 'event-type': 'DeliveryLocationUpdated', 'correlation-id': 'relay-test' });
    expect(record.headers['event-id']).toBe(record.event.eventId);
  });

  it("given rows with the command's traceparent then each is published under a producer span, child of it, and the message carries the span's", async () => {
    await freshOutbox();
    const tracing = await inMemoryTracing();
    startRelay('traced', { tracing });
    const [traced, untraced] = [randomUUID(), randomUUID()];
    const commandSpan = '00f067aa0ba902b7';
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await appendToOutbox(db, locationEvents(traced, 0, 1), () => topic, `00-${traceId}-${commandSpan}-01`);
    await append(locationEvents(untraced, 0, 1));
    const [span] = await eventually(() => tracing.spans().length === 1 && tracing.spans());
    await eventually(() => tap.recordsOf(traced).length === 1 && tap.recordsOf(untraced).length === 1);
    expect(span).toMatchObject({ name: `publish ${topic}`, kind: SpanKind.PRODUCER });
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe(commandSpan);
    expect(span!.attributes).toMatchObject({ 'messaging.destination.name': topic, 'request.id': 'relay-test', 'messaging.kafka.message.key': traced });
    expect(tap.recordsOf(traced)[0]!.headers.traceparent).toBe(`00-${traceId}-${span!.spanContext().spanId}-01`);
    // A row without a traceparent starts no trace and carries none.
    expect(tap.recordsOf(untraced)[0]!.headers.traceparent).toBeUndefined();
    await tracing.shutdown();
  });

  it('given the leader stops then the standby takes over and publishes what follows', async () => {
    await freshOutbox();
    const a = startRelay('a');
    await eventually(() => a.relay.state === 'leader');
    const b = startRelay('b');
    await eventually(() => b.relay.state === 'standby');
    await a.relay.stop();
    const id = randomUUID();
    await append(locationEvents(id, 0, 5));
    await eventually(() => tap.eventsOf(id).length >= 5, 5000);
    expect(b.relay.state).toBe('leader');
    expect(versionsOf(id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('given the leader crashes between publish and mark-sent then the standby republishes: duplicates, no loss, order kept', async () => {
    await freshOutbox();
    const a = startRelay('a', { faults: { crashAfterPublish: 'stop-relay' } });
    await eventually(() => a.relay.state === 'leader');
    const b = startRelay('b');
    await eventually(() => b.relay.state === 'standby');
    const id = randomUUID();
    await append(locationEvents(id, 0, 40));
    a.relay.nudge();
    await eventually(() => a.relay.state === 'crashed');
    await eventually(async () => (await readBacklog(db)).size === 0);
    await eventually(() => new Set(versionsOf(id)).size === 40);
    const versions = versionsOf(id);
    expect(versions.length).toBeGreaterThan(40); // the crashed batch went out twice
    const firstSeen = versions.filter((v, i) => versions.indexOf(v) === i);
    expect(firstSeen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // Exactly the crashed batch (the first 25 rows, one batch) twice, then the rest once, in order.
    const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(versions).toEqual([...upTo(25), ...upTo(40)]);
    expect(b.relay.state).toBe('leader');
  });

  it('given Kafka unreachable then the relay backs off, counts failures and keeps the rows', async () => {
    await freshOutbox();
    const { relay, registry } = startRelay('offline', { brokers: ['127.0.0.1:1'] });
    const id = randomUUID();
    await append(locationEvents(id, 0, 3));
    await eventually(async () => ((await registry.getSingleMetric('outbox_publish_failures_total')?.get())?.values[0]?.value ?? 0) >= 2);
    expect(relay.state).toBe('backoff');
    expect((await readBacklog(db)).size).toBe(3);
    const backlog = (await registry.getSingleMetric('outbox_backlog_events')?.get())?.values[0]?.value;
    expect(backlog).toBe(3);
  });
});
