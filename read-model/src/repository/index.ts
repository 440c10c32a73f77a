export { CacheFence } from './cacheFence.ts';
export { MetaWatcher } from './metaWatcher.ts';
export { listMember, listPosition, OrderListIndex, type ListFilter } from './orderListIndex.ts';
export { ViewCache, type CacheEntry, type CachedView, type ViewCacheSettings } from './viewCache.ts';
export { DUPLICATE_KEY, insertedDocument, ViewStore, type FailedWrite, type OrderListQuery, type WriteOutcome } from './viewStore.ts';
export {
  ACTIVE_GENERATION_ID,
  CACHE_FENCE_ID,
  collectionName,
  dropOtherGenerations,
  ensureActiveGeneration,
  ensureIndexes,
  FIRST_GENERATION,
  META_COLLECTION,
  metaCollection,
  switchActiveGeneration,
  viewCollections,
  type MetaDocument,
  type ViewCollections,
  type ViewDocument,
} from './viewCatalog.ts';
export { createMongoClient } from './mongoClient.ts';
export { generationViews } from './generationViews.ts';
