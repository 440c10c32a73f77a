import { readWriteServiceConfig, type WriteServiceConfig } from '@delivery/command-kit';

export const DISPATCH_DEFAULT_PORT = 8082;

/** PORT (8082), DISPATCH_DATABASE_URL, KAFKA_BROKERS, LOG_LEVEL, OUTBOX_* — read once, frozen. */
export function readDispatchConfig(environment: NodeJS.ProcessEnv = process.env): Readonly<WriteServiceConfig> {
  return readWriteServiceConfig('dispatch', DISPATCH_DEFAULT_PORT, environment);
}
