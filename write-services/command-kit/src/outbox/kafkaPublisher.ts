import { EVENT_HEADERS } from '@delivery/contracts';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_REQUEST_ID, contextOf, tracing, traceparentOf, type Logger, type Tracing } from '@delivery/runtime-kit';
import { Kafka, type IHeaders, type logCreator, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { OutboxRow } from './outboxTable.ts';

/** Where the relay sends rows; recreated by the relay after any failure. */
export interface EventPublisher {
  publish(rows: readonly OutboxRow[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaPublisherSettings {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** Producer spans (default: the process's tracing). */
  tracing?: Tracing;
}

/**
 * kafkajs idempotent producer: acks from all replicas, one request in flight (so per-key
 * order survives retries), the Java-compatible partitioner on the aggregate id, and no
 * topic auto-creation. Retries are few and short: the relay owns the long backoff, and a
 * send that fails makes the relay start over with a fresh producer.
 */
export function createKafkaPublisher(settings: KafkaPublisherSettings): EventPublisher {
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(settings.logger),
  });
  let producer: Producer | undefined;
  const traces = settings.tracing ?? tracing();

  return {
    async publish(rows) {
      if (!producer) {
        const fresh = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
          retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
        });
        await fresh.connect();
        producer = fresh;
      }
      const byTopic = new Map<string, OutboxRow[]>();
      for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      const spans: Span[] = [];
      const headersOf = (row: OutboxRow): IHeaders => {
        const headers: IHeaders = {
          [EVENT_HEADERS.eventType]: row.eventType,
          [EVENT_HEADERS.correlationId]: row.correlationId,
          [EVENT_HEADERS.eventId]: row.eventId,
        };
        const traceParent = traces.enabled && row.traceParent !== null ? publishSpan(traces, row, spans) : row.traceParent;
        if (traceParent !== null) headers[EVENT_HEADERS.traceParent] = traceParent;
        return headers;
      };
      try {
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, topicRows]) => ({
            topic,
            messages: topicRows.map((row) => ({ key: row.aggregateId, value: row.envelope, headers: headersOf(row) })),
          })),
        });
      } catch (error) {
        for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
    },
    async close() {
      const current = producer;
      producer = undefined;
      await current?.disconnect();
    },
  };
}

/**
 * A producer span per published row, child of the command's span stored with the row (one
 * trace from the gateway to the projection), ending with Kafka's acknowledgement; the message
 * carries its traceparent. Rows without a stored traceparent start no trace.
 */
function publishSpan(traces: Tracing, row: OutboxRow, spans: Span[]): string {
  const span = traces.tracer.startSpan(
    `publish ${row.topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': row.topic,
        'messaging.kafka.message.key': row.aggregateId,
        'messaging.message.id': row.eventId,
        'messaging.message.conversation_id': row.correlationId,
        'event.type': row.eventType,
        [ATTR_REQUEST_ID]: row.correlationId,
      },
    },
    contextOf(row.traceParent),
  );
  spans.push(span);
  return traceparentOf(span);
}

const QUIET = [/Limiting retries for the idempotent producer/];

/** Routes kafkajs' own logs into the service logger. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const fields = { ...extra, kafkaNamespace: namespace };
      if (QUIET.some((pattern) => pattern.test(message))) logger.debug(fields, message);
      else if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}
