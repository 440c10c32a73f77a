import { DeliverySnapshot, DispatchSnapshot, OrderSnapshot } from '@delivery/contracts';
import type { z } from 'zod';
import type { ViewName, Views } from '../handler/index.ts';

export type FallbackService = 'order' | 'dispatch' | 'delivery';

/**
 * The write service that owns each view's aggregate, and its query API's answer. Each view
 * extends its owner's snapshot (handler/view/viewSchemas.ts), so a validated snapshot, its
 * timestamps in UTC, is the view in the fallback's shape: minus the fields only the view has.
 */
interface ViewOwner<V extends ViewName> {
  service: FallbackService;
  /** The query API's path segment (`GET /api/v1/<plural>/{id}`). */
  plural: string;
  snapshot: z.ZodType<Views[V]>;
}

export const VIEW_OWNERS: { [V in ViewName]: ViewOwner<V> } = {
  orders: { service: 'order', plural: 'orders', snapshot: OrderSnapshot },
  dispatches: { service: 'dispatch', plural: 'dispatches', snapshot: DispatchSnapshot },
  deliveries: { service: 'delivery', plural: 'deliveries', snapshot: DeliverySnapshot },
};
