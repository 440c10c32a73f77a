import { parseDomainEvent, type DomainEvent } from '@delivery/contracts';
import type { TopicNames } from '../config/index.ts';

export type Decoded = { ok: true; event: DomainEvent } | { ok: false; reason: string };

/** JSON, then the shared contract, then the topic the aggregate type belongs on. */
export function decodeMessage(topic: string, value: Buffer | null, topics: TopicNames): Decoded {
  if (value === null) return { ok: false, reason: 'message has no value (tombstone)' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  let event: DomainEvent;
  try {
    event = parseDomainEvent(json);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (topics[event.aggregateType] !== topic) {
    return { ok: false, reason: `${event.eventType} (aggregate ${event.aggregateType}) does not belong on topic ${topic}` };
  }
  return { ok: true, event };
}
