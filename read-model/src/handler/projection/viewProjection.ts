import type { DomainEvent } from '@delivery/contracts';
import type { ViewName } from '../view/viewSchemas.ts';

/** Where an event lands: a document of a view, and the part of it ('' for the whole document). */
export interface ProjectionTarget {
  id: string;
  part: string;
}

/**
 * A projection after Emmett's: an `evolve` over one document (part), the event types it
 * takes and its name. Here `evolve` folds events into a *patch* (the fields they set) rather
 * than a whole document: every event of this platform sets fields without reading earlier
 * state, so the fold of a batch needs no read, and the patch is applied by one guarded
 * upsert. `canHandle` is what routes events to it (projectionRegistry.ts).
 */
export interface ViewProjection<E extends DomainEvent, Doc> {
  readonly name: string;
  readonly canHandle: readonly E['eventType'][];
  /** The view whose documents it writes. */
  readonly view: ViewName;
  target(event: E): ProjectionTarget;
  evolve(patch: Partial<Doc>, event: E): Partial<Doc>;
}

/** The `never` check that makes a new event type fail the build until it is handled. */
export function unhandledEvent(event: never): never {
  throw new Error(`no projection for event ${(event as DomainEvent).eventType}`);
}

/** Every event stamps the part it changes with its version and time. */
export const stamp = (event: DomainEvent) => ({ version: event.version, updatedAt: new Date(event.occurredAt) });

/** The whole document of the event's own aggregate. */
export const ownDocument = (event: DomainEvent): ProjectionTarget => ({ id: event.aggregateId, part: '' });
