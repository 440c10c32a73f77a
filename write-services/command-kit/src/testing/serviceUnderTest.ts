import type { AggregateType } from '@delivery/contracts';
import { EVENT_TOPICS } from '@delivery/contracts';
import type { RunningWriteService } from '../service/startWriteService.ts';
import type { WriteServiceConfig } from '../service/writeServiceConfig.ts';
import { type CommandClient, commandClient } from './commandClient.ts';
import { EventTap } from './eventTap.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from './throwawayDatabase.ts';

export type StartService = (config: Partial<WriteServiceConfig>) => Promise<RunningWriteService>;

/**
 * A write service on a schema of its own (shared MariaDB), real Kafka, a random port and a
 * tap on its topic, as integration suites use it.
 */
export interface ServiceUnderTest {
  service: RunningWriteService;
  database: ThrowawayDatabase;
  api: CommandClient;
  events: EventTap;
  /** Starts one more instance on the same schema (a second relay, a restart). */
  startInstance(config?: Partial<WriteServiceConfig>): Promise<RunningWriteService>;
  stop(): Promise<void>;
}

export const TEST_SERVICE_CONFIG: Partial<WriteServiceConfig> = {
  port: 0,
  host: '127.0.0.1',
  logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
};

export async function serviceUnderTest(
  start: StartService,
  aggregateType: AggregateType,
  config: Partial<WriteServiceConfig> = {},
): Promise<ServiceUnderTest> {
  const database = await createThrowawayDatabase(`${aggregateType}_db`);
  const events = await EventTap.start(EVENT_TOPICS[aggregateType]);
  const instances: RunningWriteService[] = [];
  const startInstance = async (extra: Partial<WriteServiceConfig> = {}) => {
    const instance = await start({ ...TEST_SERVICE_CONFIG, databaseUrl: database.url, ...config, ...extra });
    instances.push(instance);
    return instance;
  };
  const service = await startInstance();
  return {
    service,
    database,
    api: commandClient(service.url),
    events,
    startInstance,
    stop: async () => {
      await Promise.allSettled(instances.map((instance) => instance.close()));
      await events.stop();
      await database.drop();
    },
  };
}
