export { decodeOrderCursor, encodeOrderCursor, type OrderCursor } from './orderCursor.ts';
export { VIEW_OWNERS, type FallbackService } from './viewOwners.ts';
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
