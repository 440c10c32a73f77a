import { MongoClient } from 'mongodb';

/**
 * The read model's MongoDB client. Only this service holds MongoDB credentials
 * (architecture.md, data ownership). It connects lazily on first use, so the query API
 * starts, and answers from its fallback, while MongoDB is down.
 */
export function createMongoClient(settings: { url: string; serverSelectionTimeoutMs: number }): MongoClient {
  const client = new MongoClient(settings.url, {
    serverSelectionTimeoutMS: settings.serverSelectionTimeoutMs,
    connectTimeoutMS: Math.max(1000, settings.serverSelectionTimeoutMs),
    maxPoolSize: 20,
    appName: 'read-model',
  });
  // The driver (7.x) closes a topology whose first connect failed but keeps it: every later
  // operation then fails with "Topology is closed" for the life of the process, though
  // MongoDB is back (a read model started while MongoDB was down or slow never recovered).
  // Forgetting it lets the next operation connect afresh. After our own close(), the driver
  // refuses operations anyway (hasBeenClosed).
  client.on('topologyClosed', () => {
    const internal = client as unknown as { topology?: unknown; s: { hasBeenClosed: boolean } };
    if (!internal.s.hasBeenClosed) internal.topology = undefined;
  });
  return client;
}
