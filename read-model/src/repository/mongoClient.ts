import { MongoClient } from 'mongodb';

/**
 * The read model's MongoDB client. Only this service holds MongoDB credentials
 * (architecture.md, data ownership). It connects lazily on first use, so the query API
 * starts, and answers from its fallback, while MongoDB is down.
 */
export function createMongoClient(settings: { url: string; serverSelectionTimeoutMs: number }): MongoClient {
  return new MongoClient(settings.url, {
    serverSelectionTimeoutMS: settings.serverSelectionTimeoutMs,
    connectTimeoutMS: Math.max(1000, settings.serverSelectionTimeoutMs),
    maxPoolSize: 20,
    appName: 'read-model',
  });
}
