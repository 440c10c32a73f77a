import type { DomainEvent } from '@delivery/contracts';

/**
 * A projection after Emmett's: an `evolve` over one document, the event types it takes and
 * its name. Here `evolve` folds events into a *patch* (the fields they set) rather than a
 * whole document: every event of this platform sets fields without reading earlier state,
 * so the fold of a batch needs no read, and the patch is applied by one guarded upsert.
 */
export interface ViewProjection<E extends DomainEvent, Doc> {
  readonly name: string;
  readonly canHandle: readonly E['eventType'][];
  evolve(patch: Partial<Doc>, event: E): Partial<Doc>;
}

/** The `never` check that makes a new event type fail the build until it is handled. */
export function unhandledEvent(event: never): never {
  throw new Error(`no projection for event ${(event as DomainEvent).eventType}`);
}

/** Every event stamps the part it changes with its version and time. */
export const stamp = (event: DomainEvent) => ({ version: event.version, updatedAt: new Date(event.occurredAt) });
