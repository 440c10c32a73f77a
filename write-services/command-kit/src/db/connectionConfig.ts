import type { ConnectionConfig, PoolConfig } from 'mariadb';

/**
 * `mysql://user:pw@host:port/db` (the services' *_DATABASE_URL) as mariadb driver options,
 * for the connections command-kit opens itself (migrations, test tooling).
 */
export function connectionConfig(databaseUrl: string): ConnectionConfig {
  const url = new URL(databaseUrl);
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new Error(`database URL must be mysql:// or mariadb://, got ${url.protocol}//`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...(database === '' ? {} : { database }),
    connectTimeout: 5000,
  };
}

/** The schema a URL names, e.g. `order_db`. */
export function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

/**
 * Pool settings for a service's database client (driverDatabase.ts): fail fast when the
 * database is unreachable (a command answers 503 in about 3 s instead of hanging), keep a
 * few connections ready, and keep prepared statements (`execute` prepares a statement once
 * per connection, then only executes it; Prisma's adapter turned that cache off unless
 * told). A command's statements are few and fixed, so 256 per connection stays far below
 * the server's `max_prepared_stmt_count` (16,382).
 */
export function poolConfig(databaseUrl: string): PoolConfig {
  return {
    ...connectionConfig(databaseUrl),
    connectTimeout: 3000,
    acquireTimeout: 3000,
    connectionLimit: 10,
    minimumIdle: 2,
    prepareCacheLength: 256,
  };
}
