import { readWriteServiceConfig, type WriteServiceConfig } from '@delivery/command-kit';

export const DELIVERY_DEFAULT_PORT = 8083;

/** PORT (8083), DELIVERY_DATABASE_URL, KAFKA_BROKERS, LOG_LEVEL, OUTBOX_* — read once, frozen. */
export function readDeliveryConfig(environment: NodeJS.ProcessEnv = process.env): Readonly<WriteServiceConfig> {
  return readWriteServiceConfig('delivery', DELIVERY_DEFAULT_PORT, environment);
}
