import type { DomainEvent, EventType } from '@delivery/contracts';
import { deliveryProjection } from './deliveryProjection.ts';
import { dispatchProjection } from './dispatchProjection.ts';
import { orderProjection } from './orderProjection.ts';
import { orderViewPart } from './orderViewPart.ts';
import { DELIVERY_PART_FIELDS, DISPATCH_PART_FIELDS } from './viewDocuments.ts';
import type { ViewProjection } from './viewProjection.ts';

/** A projection as the registry holds it: it is only ever given the event types it declared. */
export type AnyProjection = ViewProjection<DomainEvent, Record<string, unknown>>;

/** Every projection of the read model: each view, and the parts the order view joins. */
export const PROJECTIONS: readonly AnyProjection[] = [
  orderProjection,
  dispatchProjection,
  orderViewPart(dispatchProjection, DISPATCH_PART_FIELDS),
  deliveryProjection,
  orderViewPart(deliveryProjection, DELIVERY_PART_FIELDS),
];

/**
 * Routes an event to the projections whose `canHandle` lists its type; built once. This
 * routing is what makes the list above sound: a projection typed for dispatch events is
 * handed only the event types it declared.
 */
export class ProjectionRegistry {
  readonly #byType = new Map<string, AnyProjection[]>();

  constructor(projections: readonly AnyProjection[] = PROJECTIONS) {
    for (const projection of projections) {
      for (const type of projection.canHandle) this.#byType.set(type, [...(this.#byType.get(type) ?? []), projection]);
    }
  }

  /** The projections an event goes to; none for an event type nobody declared. */
  projectionsFor(event: Pick<DomainEvent, 'eventType'>): readonly AnyProjection[] {
    return this.#byType.get(event.eventType) ?? [];
  }

  /** Event types some projection handles. */
  handledTypes(): EventType[] {
    return [...this.#byType.keys()] as EventType[];
  }
}
