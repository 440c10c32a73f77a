import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, readConfig } from '@delivery/runtime-kit';
import { z } from 'zod';

/**
 * The gateway's process settings, read once from the environment. Route settings live
 * in the route file (routes.yaml), not here; the environment only overrides upstream urls
 * (`<NAME>_URL`).
 */
export const DEFAULT_ROUTES_FILE = fileURLToPath(new URL('../routes.yaml', import.meta.url));

const shape = {
  PORT: env.port(8080),
  /** The public entry for commands: every interface by default (docs/decisions/listen-addresses.md). */
  HOST: env.host('0.0.0.0'),
  /** /metrics, /health/* and /routes: never on the public port (docs/gateway.md, "Admin port"). */
  GATEWAY_ADMIN_PORT: env.port(9080),
  GATEWAY_ADMIN_HOST: env.host('127.0.0.1'),
  GATEWAY_ROUTES_FILE: z.string().min(1).default(DEFAULT_ROUTES_FILE),
  /** Reload when the route file's content changes (its directory is watched), besides SIGHUP. */
  GATEWAY_ROUTES_WATCH: env.flag(true),
  /** Worker threads serving the public port (`auto`: one per available CPU); 1: the process itself. */
  GATEWAY_WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(256)], { error: 'must be auto or a whole number from 1 to 256' })
    .default(1),
  GATEWAY_ADMIN: env.flag(false),
  LOG_LEVEL: env.logLevel(),
  GATEWAY_HEADERS_TIMEOUT_MS: env.millis(10_000),
  GATEWAY_REQUEST_TIMEOUT_MS: env.millis(30_000),
  GATEWAY_KEEP_ALIVE_TIMEOUT_MS: env.millis(65_000),
  GATEWAY_SHUTDOWN_GRACE_MS: env.millis(15_000),
};

export interface GatewayConfig {
  port: number;
  /** Listen address (`HOST`, default 0.0.0.0: the gateway is the platform's public entry for commands). */
  host: string;
  /** Admin port (`GATEWAY_ADMIN_PORT`, default 9080) and address (`GATEWAY_ADMIN_HOST`, default loopback). */
  adminPort: number;
  adminHost: string;
  /** Absolute path of the route file. */
  routesFile: string;
  /** Reload on changes of the route file (its directory is watched), not only on SIGHUP. */
  watchRoutes: boolean;
  /**
   * Worker threads that serve the public port together (SO_REUSEPORT), sharing one
   * rate-limit table; the main thread keeps the admin port and reloads. 1: no threads.
   */
  workers: number;
  /** Serve `GET /routes` (the active routes). */
  admin: boolean;
  logLevel: string;
  /** Upstream url overrides by variable name (`ORDER_URL`), from every `*_URL` variable. */
  upstreamUrls: Readonly<Record<string, string>>;
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (a backstop against slow clients). */
  requestTimeoutMs: number;
  /** Idle time before a client's keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** Time given to requests in flight on shutdown. */
  shutdownGraceMs: number;
}

export function gatewayConfig(source: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  const read = readConfig(shape, source);
  if (read.GATEWAY_HEADERS_TIMEOUT_MS > read.GATEWAY_REQUEST_TIMEOUT_MS && read.GATEWAY_REQUEST_TIMEOUT_MS > 0)
    throw new Error('invalid configuration: GATEWAY_HEADERS_TIMEOUT_MS must not exceed GATEWAY_REQUEST_TIMEOUT_MS');
  return Object.freeze({
    port: read.PORT,
    host: read.HOST,
    adminPort: read.GATEWAY_ADMIN_PORT,
    adminHost: read.GATEWAY_ADMIN_HOST,
    routesFile: resolve(read.GATEWAY_ROUTES_FILE),
    watchRoutes: read.GATEWAY_ROUTES_WATCH,
    workers: read.GATEWAY_WORKERS === 'auto' ? availableParallelism() : read.GATEWAY_WORKERS,
    admin: read.GATEWAY_ADMIN,
    logLevel: read.LOG_LEVEL,
    upstreamUrls: Object.freeze(
      Object.fromEntries(
        Object.entries(source).filter((entry): entry is [string, string] => entry[0].endsWith('_URL') && entry[1] !== undefined),
      ),
    ),
    headersTimeoutMs: read.GATEWAY_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: read.GATEWAY_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: read.GATEWAY_KEEP_ALIVE_TIMEOUT_MS,
    shutdownGraceMs: read.GATEWAY_SHUTDOWN_GRACE_MS,
  });
}
