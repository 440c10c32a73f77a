import type { OrderSnapshot } from '@delivery/contracts';

/**
 * The order aggregate's state. It holds exactly what the query API answers, so the
 * contract's snapshot type is the state type (one definition).
 */
export type Order = OrderSnapshot;
