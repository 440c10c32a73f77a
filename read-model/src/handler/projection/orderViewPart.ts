import type { DeliveryEvent, DispatchEvent } from '@delivery/contracts';
import type { ViewProjection } from './viewProjection.ts';

/**
 * The part a dispatch or delivery keeps in its order's view (`dispatches.<id>` or
 * `deliveries.<id>` of the order document): the same projection as its own view, keeping
 * only the fields the order view shows of it (viewDocuments.ts, derived from the view's
 * summary schema).
 */
export function orderViewPart<E extends DispatchEvent | DeliveryEvent, Doc>(
  own: ViewProjection<E, Doc>,
  fields: readonly string[],
): ViewProjection<E, Partial<Doc>> {
  return {
    name: `order-view.${own.view}`,
    canHandle: own.canHandle,
    view: 'orders',
    target: (event) => ({ id: event.payload.orderId, part: `${own.view}.${event.aggregateId}` }),
    evolve: (patch, event) => {
      const evolved = own.evolve(patch, event) as Record<string, unknown>;
      return Object.fromEntries(fields.filter((field) => field in evolved).map((field) => [field, evolved[field]])) as Partial<Doc>;
    },
  };
}
