import { randomUUID } from 'node:crypto';
import type { AggregateType, DomainEvent, EventDraft } from '@delivery/contracts';
import type { CommandContext } from './decider.ts';

/**
 * Gives drafts their envelope: a fresh event id, the next versions after `fromVersion`
 * (no gaps), the command's time and its request id as correlation id.
 */
export function stampEvents<E extends DomainEvent>(
  drafts: readonly EventDraft<E>[],
  aggregateType: AggregateType,
  fromVersion: number,
  context: CommandContext,
): E[] {
  return drafts.map(
    (draft, index) =>
      ({
        eventId: randomUUID(),
        eventType: draft.eventType,
        aggregateType,
        aggregateId: context.aggregateId,
        version: fromVersion + index + 1,
        occurredAt: context.now.toISOString(),
        correlationId: context.requestId,
        payload: draft.payload,
      }) as unknown as E,
  );
}
