import type { DomainEvent } from '@delivery/contracts';
import type { ExistingAggregate } from './decider.ts';

/**
 * For `evolve`: the aggregate its first event creates, from the fields the aggregate
 * defines; the event's version and time become its version, creation and last change.
 */
export function createdBy<S extends ExistingAggregate>(
  event: Pick<DomainEvent, 'version' | 'occurredAt'>,
  fields: Omit<S, 'version' | 'createdAt' | 'updatedAt'>,
): S {
  // TypeScript does not see that the fields plus the three set here make up S.
  return { ...fields, version: event.version, createdAt: event.occurredAt, updatedAt: event.occurredAt } as S;
}
