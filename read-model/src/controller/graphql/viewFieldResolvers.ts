import { Problem } from '@delivery/runtime-kit';
import type { DeliveryView, DispatchView, OrderView } from '../../handler/index.ts';
import type { Found } from '../../service/index.ts';

/**
 * What the Order, Dispatch and Delivery resolvers receive (codegen `mappers`): the view as
 * the service layer answered it, with the source that answered. A `fallback` view holds what
 * the owning write service returned; GraphQL answers only its critical fields from it.
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

/** A field the view always has resolves to its value; one it may lack, to the value or null. */
type FieldValue<T> = null extends T ? NonNullable<T> | null : undefined extends T ? NonNullable<T> | null : T;
export type FieldResolvers<V> = { [K in keyof V]-?: (parent: Found<V>) => FieldValue<V[K]> };

/**
 * One resolver per field of a view schema, so that a field added to the view is answered
 * without resolver code: the view's value, or — for a parent that came from the fallback —
 * a field error, except for the critical fields the write service answers.
 */
export function viewFieldResolvers<V extends object>(
  typeName: string,
  schema: { shape: object },
  critical: readonly (keyof V & string)[],
): FieldResolvers<V> {
  const answeredByFallback = new Set<string>(critical);
  const resolvers: Record<string, (parent: Found<V>) => unknown> = {};
  for (const field of Object.keys(schema.shape)) {
    resolvers[field] = answeredByFallback.has(field)
      ? (parent) => parent.view[field as keyof V] ?? null
      : (parent) => {
          if (parent.source === 'fallback') throw viewUnavailable(typeName, field);
          return parent.view[field as keyof V] ?? null;
        };
  }
  return resolvers as FieldResolvers<V>;
}
