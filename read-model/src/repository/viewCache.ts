import { Redis } from 'ioredis';
import type { ViewName } from '../handler/index.ts';

/**
 * The hot copy of each view in Redis: one string per view, `<version>|<json>`, so that a
 * hit is served without touching MongoDB and a batch lookup is one MGET. Every write goes
 * through a Lua compare-and-set on the version: neither the consumer nor a read-path refill
 * ever replaces a newer copy with an older one. Keys carry the view generation, so a rebuild
 * never serves entries of the collections it replaced.
 */
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, '|', 1, true)
  if sep then
    local stored = tonumber(string.sub(current, 1, sep - 1))
    if stored and stored >= tonumber(ARGV[1]) then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1
`;

interface CacheCommands {
  setIfNewer(key: string, version: number, json: string, ttlSeconds: number): unknown;
}
type CacheClient = Redis & CacheCommands;

export interface CacheEntry {
  view: ViewName;
  generation: number;
  id: string;
  version: number;
  json: string;
}

export interface CachedView {
  version: number;
  json: string;
}

export interface ViewCacheSettings {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  ttlSeconds: number;
}

export class ViewCache {
  readonly client: CacheClient;
  readonly #prefix: string;
  readonly #ttlSeconds: number;

  constructor(settings: ViewCacheSettings) {
    this.#prefix = settings.keyPrefix;
    this.#ttlSeconds = settings.ttlSeconds;
    // Fail fast instead of queueing while Redis is away: the read path falls through to
    // MongoDB and the consumer keeps projecting (cacheFence.ts handles what it missed).
    this.client = new Redis(settings.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: settings.commandTimeoutMs,
      connectTimeout: Math.max(1000, settings.commandTimeoutMs * 4),
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
      reconnectOnError: () => false,
      // ioredis waits this long for a socket that is already gone when disconnecting.
      disconnectTimeout: 200,
    }) as CacheClient;
    this.client.on('error', () => {
      // Connection errors surface as failed commands; ioredis reconnects by itself.
    });
    this.client.defineCommand('setIfNewer', { numberOfKeys: 1, lua: SET_IF_NEWER });
  }

  get keyPrefix(): string {
    return this.#prefix;
  }

  isReady(): boolean {
    return this.client.status === 'ready';
  }

  key(view: ViewName, generation: number, id: string): string {
    return `${this.#prefix}gen${generation}:${view}:${id}`;
  }

  /** One MGET; `undefined` for a miss. */
  async getMany(view: ViewName, generation: number, ids: readonly string[]): Promise<(CachedView | undefined)[]> {
    if (ids.length === 0) return [];
    const values = await this.client.mget(ids.map((id) => this.key(view, generation, id)));
    return values.map((value) => {
      if (value === null) return undefined;
      const sep = value.indexOf('|');
      return { version: Number(value.slice(0, sep)), json: value.slice(sep + 1) };
    });
  }

  /**
   * One pipeline of compare-and-set writes, plus whatever `alongside` adds to it (the order
   * list index: it returns how many commands); rejects if Redis could not take all of them.
   */
  async putIfNewer(entries: readonly CacheEntry[], alongside?: (pipeline: ReturnType<Redis['pipeline']>) => number): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const e of entries) {
      void (pipeline as unknown as CacheCommands).setIfNewer(this.key(e.view, e.generation, e.id), e.version, e.json, this.#ttlSeconds);
    }
    const expected = entries.length + (alongside?.(pipeline) ?? 0);
    const results = (await pipeline.exec()) ?? [];
    const failure = results.find(([error]) => error !== null);
    if (failure) throw failure[0] as Error;
    if (results.length !== expected) throw new Error('cache pipeline incomplete');
  }

  async unlink(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) await this.client.unlink(...keys.slice(i, i + 1000));
  }

  /** Drops every entry under this prefix, of one generation or of all; returns how many. */
  async purgeAll(generation?: number): Promise<number> {
    let cursor = '0';
    let dropped = 0;
    const pattern = generation === undefined ? `${this.#prefix}gen*` : `${this.#prefix}gen${generation}:*`;
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await this.client.unlink(...keys);
        dropped += keys.length;
      }
    } while (cursor !== '0');
    return dropped;
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }
}
