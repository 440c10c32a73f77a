import type { AggregateType, DomainEvent } from '@delivery/contracts';
import { EVENT_TOPICS, parseDomainEvent } from '@delivery/contracts';
import type { FaultSeams, RunningWriteService, WriteServiceConfig } from '@delivery/command-kit';
import { type CommandClient, commandClient } from './commandClient.ts';
import { EventTap } from './eventTap.ts';
import { adminQuery, createThrowawayDatabase, type ThrowawayDatabase } from './throwawayDatabase.ts';

export type StartService = (config: Partial<WriteServiceConfig>, seams?: FaultSeams) => Promise<RunningWriteService>;

/**
 * A write service on a schema of its own (shared MariaDB), real Kafka, a random port and a
 * tap on its topic, as integration suites use it.
 */
export interface ServiceUnderTest {
  service: RunningWriteService;
  database: ThrowawayDatabase;
  api: CommandClient;
  events: EventTap;
  /** The consumer group of the service's reactions (a group of this schema's own). */
  reactionsGroupId: string;
  /** Starts one more instance on the same schema (a second relay, a restart). */
  startInstance(config?: Partial<WriteServiceConfig>, seams?: FaultSeams): Promise<RunningWriteService>;
  /**
   * Every row of the service's outbox in `id` order, sent or not. A command's events are
   * committed there with the command, before its answer: once a command answered, the rows
   * it wrote (or did not write) are final, and the relay publishes nothing else.
   */
  outbox(): Promise<OutboxRecord[]>;
  stop(): Promise<void>;
}

export interface OutboxRecord {
  aggregateId: string;
  version: number;
  eventType: string;
  correlationId: string;
  sent: boolean;
  event: DomainEvent;
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
  seams: FaultSeams = {},
): Promise<ServiceUnderTest> {
  const database = await createThrowawayDatabase(`${aggregateType}_db`);
  const events = await EventTap.start(EVENT_TOPICS[aggregateType]);
  const instances: RunningWriteService[] = [];
  // Reactions of this schema's service in a group of its own, starting at the topics' end: other
  // suites' events are not this suite's to react to (nor to mark as handled).
  const reactions = { groupId: `${database.name}-reactions`, fromBeginning: false };
  const startInstance = async (extra: Partial<WriteServiceConfig> = {}, instanceSeams: FaultSeams = {}) => {
    const instance = await start({ ...TEST_SERVICE_CONFIG, databaseUrl: database.url, reactions, ...config, ...extra }, instanceSeams);
    instances.push(instance);
    await instance.reactions?.whenJoined();
    return instance;
  };
  const service = await startInstance({}, seams);
  return {
    service,
    reactionsGroupId: reactions.groupId,
    database,
    api: commandClient(service.url),
    events,
    startInstance,
    outbox: async () => {
      const rows = await adminQuery<
        { aggregate_id: string; version: number; event_type: string; correlation_id: string; trace_parent: string | null; sent: number | bigint; envelope: string }[]
      >(
        `SELECT aggregate_id, version, event_type, correlation_id, trace_parent, sent_at IS NOT NULL AS sent, envelope
           FROM \`${database.name}\`.outbox_event ORDER BY id`,
      );
      return rows.map((row) => ({
        aggregateId: row.aggregate_id,
        version: row.version,
        eventType: row.event_type,
        correlationId: row.correlation_id,
        traceParent: row.trace_parent,
        sent: Number(row.sent) === 1,
        event: parseDomainEvent(JSON.parse(row.envelope)),
      }));
    },
    stop: async () => {
      await Promise.allSettled(instances.map((instance) => instance.close()));
      await events.stop();
      await database.drop();
    },
  };
}
