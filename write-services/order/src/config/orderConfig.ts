import { readWriteServiceConfig, type WriteServiceConfig } from '@delivery/command-kit';

export const ORDER_DEFAULT_PORT = 8081;

/** PORT (8081), ORDER_DATABASE_URL, KAFKA_BROKERS, LOG_LEVEL, OUTBOX_* — read once, frozen. */
export function readOrderConfig(environment: NodeJS.ProcessEnv = process.env): Readonly<WriteServiceConfig> {
  return readWriteServiceConfig('order', ORDER_DEFAULT_PORT, environment);
}
