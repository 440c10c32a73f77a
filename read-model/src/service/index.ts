export { decodeOrderCursor, encodeOrderCursor, type OrderCursor } from './orderCursor.ts';
export { SNAPSHOT_SOURCES, type FallbackService } from './snapshotViews.ts';
export {
  OrderListParams,
  ViewReader,
  type Found,
  type LookupResult,
  type OrderListPage,
  type ReadContext,
  type ReadSource,
  type ViewReaderDeps,
} from './viewReader.ts';
export { WriteServiceFallback } from './writeServiceFallback.ts';
