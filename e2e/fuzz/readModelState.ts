import { mongoUrl, redisUrl } from '@delivery/infra';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';

/**
 * The read model's half of "nothing stored is changed by a rejected request": a query the
 * read model refused or answered "unknown" (REST 404, GraphQL null) leaves no trace in its
 * stores, neither a cached entry in Redis (`<prefix>gen<g>:<view>:<id>`) nor a view document
 * in MongoDB. (A 400 names no valid id, so nothing could be keyed by it.) Answered (200)
 * queries may fill the cache: that is the read-through cache doing its job.
 */
export async function tracesOfUnknownIds(ids: readonly string[], redisPrefix: string, mongoDatabase: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const found: string[] = [];

  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const id = key.slice(key.lastIndexOf(':') + 1).toLowerCase();
        if (wanted.has(id)) found.push(`Redis holds ${key} for an id the read model answered as unknown`);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }

  const mongo = new MongoClient(mongoUrl(), { serverSelectionTimeoutMS: 5_000 });
  try {
    await mongo.connect();
    const db = mongo.db(mongoDatabase);
    const meta = await db.collection<{ _id: string; generation?: number }>('read_model_meta').findOne({ _id: 'active-generation' });
    const generation = meta?.generation ?? 1;
    const collections = ['orders', 'dispatches', 'deliveries'].map((view) => `${view}_gen${generation}`);
    for (const name of collections) {
      const docs = await db
        .collection<{ _id: string }>(name)
        .find({ _id: { $in: [...wanted] } }, { projection: { _id: 1 } })
        .toArray();
      for (const doc of docs) found.push(`MongoDB ${name} holds ${doc._id}, an id the read model answered as unknown`);
    }
  } finally {
    await mongo.close();
  }
  return found;
}
