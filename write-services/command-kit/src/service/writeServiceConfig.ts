import { env, readConfig } from '@delivery/runtime-kit';
import { z } from 'zod';
import { DEFAULT_RELAY_SETTINGS, type RelaySettings } from '../outbox/outboxRelay.ts';
import type { OwnerUrls } from '../owners/ownerClient.ts';
import type { WriteServiceName } from './writeServiceDefinition.ts';

export interface WriteServiceConfig {
  port: number;
  /**
   * Listen address (`HOST`, default 127.0.0.1): only the gateway and the read model's
   * fallback call a write service, so it is not reachable from other machines unless told
   * (compose.yaml sets 0.0.0.0 inside its private network). docs/decisions/listen-addresses.md.
   */
  host: string;
  /** mysql://user:pw@host:port/db */
  databaseUrl: string;
  kafkaBrokers: readonly string[];
  logLevel: string;
  outbox: RelaySettings;
  bodyLimit: string;
  /** SIGTERM grace: in-flight requests, then the relay's last cycle. */
  shutdownGraceMs: number;
  /** The other write services, asked when a rule spans aggregates (`ORDER_URL`, `DISPATCH_URL`, `DELIVERY_URL`). */
  owners: OwnerUrls;
  /** Deadline of one call to another write service (`OWNER_TIMEOUT_MS`). */
  ownerTimeoutMs: number;
  /** The reactions' consumer group (`REACTIONS_GROUP_ID`, default `<service>-service-reactions`) and where a new group starts. */
  reactions: { groupId: string; fromBeginning: boolean };
}

const LOCAL_DATABASE_URLS: Record<WriteServiceName, string> = {
  order: 'mysql://order_svc:order_svc_pw@127.0.0.1:3306/order_db',
  dispatch: 'mysql://dispatch_svc:dispatch_svc_pw@127.0.0.1:3306/dispatch_db',
  delivery: 'mysql://delivery_svc:delivery_svc_pw@127.0.0.1:3306/delivery_db',
};

/**
 * Reads a write service's environment once (architecture.md's names): `PORT`, `HOST`,
 * `<SERVICE>_DATABASE_URL`, `KAFKA_BROKERS`, `LOG_LEVEL`, plus the relay's tuning
 * (`OUTBOX_POLL_INTERVAL_MS`, `OUTBOX_LINGER_MS`, `OUTBOX_LEASE_MS`, `OUTBOX_BATCH_SIZE`). Fails fast, frozen.
 */
export function readWriteServiceConfig(
  service: WriteServiceName,
  defaultPort: number,
  environment: NodeJS.ProcessEnv = process.env,
): Readonly<WriteServiceConfig> {
  const databaseVar = `${service.toUpperCase()}_DATABASE_URL`;
  const raw = readNamed(databaseVar, () => readConfig(
    {
      PORT: env.port(defaultPort),
      HOST: env.host('127.0.0.1'),
      DATABASE_URL: z.string().regex(/^(mysql|mariadb):\/\//, 'must be a mysql:// URL').default(LOCAL_DATABASE_URLS[service]),
      KAFKA_BROKERS: env.list('127.0.0.1:9092'),
      LOG_LEVEL: env.logLevel(),
      OUTBOX_POLL_INTERVAL_MS: env.millis(DEFAULT_RELAY_SETTINGS.pollIntervalMs),
      OUTBOX_LINGER_MS: env.millis(DEFAULT_RELAY_SETTINGS.lingerMs),
      OUTBOX_LEASE_MS: env.millis(DEFAULT_RELAY_SETTINGS.leaseMs),
      OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(DEFAULT_RELAY_SETTINGS.batchSize),
      SHUTDOWN_GRACE_MS: env.millis(15_000),
      ORDER_URL: env.url('http://127.0.0.1:8081'),
      DISPATCH_URL: env.url('http://127.0.0.1:8082'),
      DELIVERY_URL: env.url('http://127.0.0.1:8083'),
      OWNER_TIMEOUT_MS: env.millis(2000),
      REACTIONS_GROUP_ID: z.string().min(1).default(`${service}-service-reactions`),
    },
    { ...environment, DATABASE_URL: environment[databaseVar] },
  ));
  return Object.freeze({
    port: raw.PORT,
    host: raw.HOST,
    databaseUrl: raw.DATABASE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS,
    logLevel: raw.LOG_LEVEL,
    outbox: Object.freeze({
      ...DEFAULT_RELAY_SETTINGS,
      pollIntervalMs: raw.OUTBOX_POLL_INTERVAL_MS,
      lingerMs: raw.OUTBOX_LINGER_MS,
      leaseMs: raw.OUTBOX_LEASE_MS,
      batchSize: raw.OUTBOX_BATCH_SIZE,
    }),
    bodyLimit: '64kb',
    shutdownGraceMs: raw.SHUTDOWN_GRACE_MS,
    owners: Object.freeze({ order: raw.ORDER_URL, dispatch: raw.DISPATCH_URL, delivery: raw.DELIVERY_URL }),
    ownerTimeoutMs: raw.OWNER_TIMEOUT_MS,
    reactions: Object.freeze({ groupId: raw.REACTIONS_GROUP_ID, fromBeginning: true }),
  });
}

/** Errors name the service's own variable (ORDER_DATABASE_URL), not the internal alias. */
function readNamed<T>(databaseVar: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new Error((error as Error).message.replace(/\bDATABASE_URL\b/, databaseVar));
  }
}
