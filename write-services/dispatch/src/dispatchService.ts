import { join } from 'node:path';
import {
  connectDriverDatabase,
  type FaultSeams,
  type RunningWriteService,
  startWriteService,
  type WriteServiceConfig,
  type WriteServiceDefinition,
} from '@delivery/command-kit';
import { DispatchEvent, DispatchSnapshot } from '@delivery/contracts';
import { dispatchCommands } from './api/dispatchCommands.ts';
import { readDispatchConfig } from './config/dispatchConfig.ts';
import type { Dispatch } from './domain/dispatch.ts';
import type { DispatchCommand } from './domain/dispatchCommand.ts';
import { dispatchRuleCheck } from './rules/dispatchRuleCheck.ts';
import { dispatchDecider } from './domain/dispatchDecider.ts';
import { dispatchReactions } from './reactions/dispatchReactions.ts';
import { dispatchRepository, type DispatchTx } from './store/dispatchRepository.ts';

export const dispatchService: WriteServiceDefinition<Dispatch, DispatchCommand, DispatchEvent, DispatchTx> = {
  service: 'dispatch',
  aggregateType: 'dispatch',
  idField: 'dispatchId',
  collectionPath: '/api/v1/dispatches',
  decider: dispatchDecider,
  eventSchema: DispatchEvent,
  commands: dispatchCommands,
  snapshot: { schema: DispatchSnapshot, of: ({ cancelReason: _reason, ...snapshot }) => snapshot },
  repository: dispatchRepository,
  connect: connectDriverDatabase,
  rules: dispatchRuleCheck,
  reactions: dispatchReactions,
  migrationsDir: join(import.meta.dirname, '../../../prisma/dispatch/migrations'),
};

/** Starts the dispatch service in-process; unset fields come from the environment (port 0 is fine). */
export function startDispatchService(config: Partial<WriteServiceConfig> = {}, seams: FaultSeams = {}): Promise<RunningWriteService> {
  return startWriteService(dispatchService, { ...readDispatchConfig(), ...config }, seams);
}
