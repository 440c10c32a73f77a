import { join } from 'node:path';
import {
  connectDriverDatabase,
  type FaultSeams,
  type RunningWriteService,
  startWriteService,
  type WriteServiceConfig,
  type WriteServiceDefinition,
} from '@delivery/command-kit';
import { DeliveryEvent, DeliverySnapshot } from '@delivery/contracts';
import { deliveryCommands } from './api/deliveryCommands.ts';
import { deliverySettlements } from './api/deliverySettlements.ts';
import { deliveryRuleCheck } from './rules/deliveryRuleCheck.ts';
import { readDeliveryConfig } from './config/deliveryConfig.ts';
import type { Delivery } from './domain/delivery.ts';
import type { DeliveryCommand } from './domain/deliveryCommand.ts';
import { deliveryDecider } from './domain/deliveryDecider.ts';
import { deliveryReactions } from './reactions/deliveryReactions.ts';
import { deliveryRepository, type DeliveryTx } from './store/deliveryRepository.ts';

export const deliveryService: WriteServiceDefinition<Delivery, DeliveryCommand, DeliveryEvent, DeliveryTx> = {
  service: 'delivery',
  aggregateType: 'delivery',
  idField: 'deliveryId',
  collectionPath: '/api/v1/deliveries',
  decider: deliveryDecider,
  eventSchema: DeliveryEvent,
  commands: deliveryCommands,
  snapshot: { schema: DeliverySnapshot, of: (delivery) => delivery },
  repository: deliveryRepository,
  connect: connectDriverDatabase,
  rules: deliveryRuleCheck,
  internalRoutes: deliverySettlements,
  reactions: deliveryReactions,
  migrationsDir: join(import.meta.dirname, '../../../prisma/delivery/migrations'),
};

/** Starts the delivery service in-process; unset fields come from the environment (port 0 is fine). */
export function startDeliveryService(config: Partial<WriteServiceConfig> = {}, seams: FaultSeams = {}): Promise<RunningWriteService> {
  return startWriteService(deliveryService, { ...readDeliveryConfig(), ...config }, seams);
}
