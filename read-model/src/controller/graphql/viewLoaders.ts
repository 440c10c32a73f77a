import DataLoader from 'dataloader';
import type { Views, ViewName } from '../../handler/index.ts';
import type { Found, ReadContext, ViewReader } from '../../service/index.ts';

/** One loader per view type; null for an id unknown everywhere, a rejected Problem when unreadable. */
export type ViewLoaders = { [V in ViewName]: DataLoader<string, Found<Views[V]> | null> };

/** Bounds one MGET / `$in`; a larger batch is split into several. */
const MAX_BATCH_SIZE = 100;

/**
 * Per request, never shared: a request's loads of one view type in one tick become one
 * `ViewReader.loadMany` (one Redis MGET, one MongoDB `$in`, fallback per missing id), and
 * an id read twice in a request is read once.
 */
export function createViewLoaders(reader: ViewReader, context: ReadContext): ViewLoaders {
  const loader = <V extends ViewName>(view: V) =>
    new DataLoader<string, Found<Views[V]> | null>((ids) => reader.loadMany(view, ids, context), { maxBatchSize: MAX_BATCH_SIZE });
  return { orders: loader('orders'), dispatches: loader('dispatches'), deliveries: loader('deliveries') };
}
