import { EVENT_HEADERS } from '@delivery/contracts';
import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_REQUEST_ID, contextOf } from '@delivery/runtime-kit';
import type { IHeaders } from 'kafkajs';
import type { DeadLetter, SourceMessage } from './deadLetters.ts';

/**
 * A consumer span per projected message (docs/observability.md, "Traces"), child of the
 * publish span whose `traceparent` the message carries (one trace from the gateway to the
 * stored view), from the chunk's start until its views are stored; only when tracing is on.
 */
export function startProjectionSpans(tracer: Tracer, messages: readonly SourceMessage[]): Span[] {
  return messages.map((message) => {
    const headers = message.headers;
    const correlationId = headerText(headers, EVENT_HEADERS.correlationId);
    const eventType = headerText(headers, EVENT_HEADERS.eventType);
    const span = tracer.startSpan(
      `process ${message.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.kafka.offset': Number(message.offset),
          ...(message.key === null ? {} : { 'messaging.kafka.message.key': message.key.toString('utf8') }),
          ...(correlationId === undefined ? {} : { 'messaging.message.conversation_id': correlationId, [ATTR_REQUEST_ID]: correlationId }),
          ...(eventType === undefined ? {} : { 'event.type': eventType }),
        },
      },
      contextOf(headers?.[EVENT_HEADERS.traceParent]),
    );
    return span;
  });
}

/** The chunk is stored: each span ends, a parked message's with an error and the reason. */
export function endProjectionSpans(spans: readonly Span[], messages: readonly SourceMessage[], letters: readonly DeadLetter[]): void {
  const reasons = new Map(letters.map((l) => [position(l), l.reason]));
  messages.forEach((message, i) => {
    const span = spans[i];
    if (span === undefined) return;
    const reason = reasons.get(position(message));
    span.setAttribute('read_model.outcome', reason === undefined ? 'projected' : 'dead_lettered');
    if (reason !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: reason.slice(0, 500) });
    span.end();
  });
}

/** The chunk failed (MongoDB or Kafka): it is retried after a pause, under new spans. */
export function failProjectionSpans(spans: readonly Span[], error: unknown): void {
  for (const span of spans) {
    span.setAttribute('read_model.outcome', 'retried');
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  }
}

const position = (m: SourceMessage) => `${m.topic}/${m.partition}/${m.offset}`;

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
