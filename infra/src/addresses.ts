/**
 * Where each component listens, from the environment (names in architecture.md) with the
 * local defaults. Managed infrastructure is a change of these variables.
 */
export interface HostPort {
  host: string;
  port: number;
}

export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

export function mongoUrl(): string {
  return process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017';
}

export function kafkaBrokers(): string[] {
  return (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
}

/** The MariaDB server itself (the services' URLs are in databases.ts). */
export function mariadbAddress(): HostPort {
  return { host: process.env['MARIADB_HOST'] ?? '127.0.0.1', port: Number(process.env['MARIADB_PORT'] ?? 3306) };
}

/** `host:port` of a URL (`redis://h:p`, `mongodb://h:p/db`) or of a bare `h:p`. */
export function hostPortOf(address: string, defaultPort: number): HostPort {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? defaultPort : Number(url.port) };
}

/** Only a loopback address is ours to install and start; anything else is managed elsewhere. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
