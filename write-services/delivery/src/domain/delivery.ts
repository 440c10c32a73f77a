import type { DeliverySnapshot } from '@delivery/contracts';

/**
 * The delivery aggregate's state. It holds exactly what the query API answers, so the
 * contract's snapshot type is the state type (one definition).
 */
export type Delivery = DeliverySnapshot;
