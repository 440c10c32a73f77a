import { Kafka, logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@delivery/runtime-kit';

/** kafkajs logs go through the service logger (one JSON line each). */
function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const child = { component: 'kafkajs', namespace, ...extra };
      if (level === logLevel.ERROR) logger.error(child, message);
      else if (level === logLevel.WARN) logger.warn(child, message);
      else if (level === logLevel.INFO) logger.info(child, message);
      else logger.debug(child, message);
    };
}

export function createKafka(settings: { clientId: string; brokers: string[] }, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(logger),
    connectionTimeout: 3000,
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5 },
  });
}
