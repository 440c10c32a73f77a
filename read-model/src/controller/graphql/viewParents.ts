import { Problem } from '@delivery/runtime-kit';
import type { DeliveryView, DispatchView, OrderView } from '../../handler/index.ts';
import type { Found } from '../../service/index.ts';

/**
 * What the Order, Dispatch and Delivery resolvers receive (codegen `mappers`): the view as
 * the service layer answered it, with the source that answered. A `fallback` view holds what
 * the owning write service returned; GraphQL answers only its critical field from it.
 */
export type OrderParent = Found<OrderView>;
export type DispatchParent = Found<DispatchView>;
export type DeliveryParent = Found<DeliveryView>;

/** The field error of a non-critical field whose view could not be read (partial data). */
export function viewUnavailable(typeName: string, field: string): Problem {
  return new Problem(
    'SERVICE_UNAVAILABLE',
    `${typeName}.${field} needs the read model's view, which is unavailable; only the critical fields were answered, by the write service.`,
  );
}

/**
 * Resolvers for fields only the view answers: the view's value, or a field error when the
 * parent came from the fallback. `viewFields<OrderView>('Order')('stage')`.
 */
export function viewFields<V extends object>(typeName: string) {
  return <K extends keyof V & string>(field: K) =>
    (parent: Found<V>): NonNullable<V[K]> | null => {
      if (parent.source === 'fallback') throw viewUnavailable(typeName, field);
      return parent.view[field] ?? null;
    };
}
