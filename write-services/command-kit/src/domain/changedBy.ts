import type { DomainEvent } from '@delivery/contracts';
import { type ExistingAggregate, type InitialState, requireExisting } from './decider.ts';

/**
 * For `evolve`: the aggregate after one of its later events (it must exist), with the
 * event's `changes`, and the event's version and time as its version and last change.
 */
export function changedBy<S extends ExistingAggregate>(
  event: Pick<DomainEvent, 'eventType' | 'version' | 'occurredAt'>,
  state: S | InitialState,
  changes: Partial<S>,
): S {
  return { ...requireExisting(state, event.eventType), ...changes, version: event.version, updatedAt: event.occurredAt };
}
