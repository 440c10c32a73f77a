import type { Db } from 'mongodb';
import { ensureIndexes, viewCollections, type ViewCollections } from './viewCatalog.ts';

/**
 * The collections of a generation, with their indexes created once per generation (a
 * failed attempt is retried on the next call).
 */
export function generationViews(db: Db, generation: () => Promise<number>): () => Promise<ViewCollections> {
  const indexed = new Map<number, Promise<void>>();
  return async () => {
    const views = viewCollections(db, await generation());
    let ready = indexed.get(views.generation);
    if (!ready) {
      ready = ensureIndexes(views);
      indexed.set(views.generation, ready);
      ready.catch(() => indexed.delete(views.generation));
    }
    await ready;
    return views;
  };
}
