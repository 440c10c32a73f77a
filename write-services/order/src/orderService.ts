import { join } from 'node:path';
import {
  connectDriverDatabase,
  type FaultSeams,
  type RunningWriteService,
  startWriteService,
  type WriteServiceConfig,
  type WriteServiceDefinition,
} from '@delivery/command-kit';
import { OrderEvent, OrderSnapshot } from '@delivery/contracts';
import { orderCommands } from './api/orderCommands.ts';
import { readOrderConfig } from './config/orderConfig.ts';
import type { Order } from './domain/order.ts';
import type { OrderCommand } from './domain/orderCommand.ts';
import { orderRuleCheck } from './rules/orderRuleCheck.ts';
import { orderDecider } from './domain/orderDecider.ts';
import { orderReactions } from './reactions/orderReactions.ts';
import { orderRepository, type OrderTx } from './store/orderRepository.ts';

export const orderService: WriteServiceDefinition<Order, OrderCommand, OrderEvent, OrderTx> = {
  service: 'order',
  aggregateType: 'order',
  idField: 'orderId',
  collectionPath: '/api/v1/orders',
  decider: orderDecider,
  eventSchema: OrderEvent,
  commands: orderCommands,
  snapshot: { schema: OrderSnapshot, of: (order) => order },
  repository: orderRepository,
  connect: connectDriverDatabase,
  rules: orderRuleCheck,
  reactions: orderReactions,
  migrationsDir: join(import.meta.dirname, '../../../prisma/order/migrations'),
};

/** Starts the order service in-process; unset fields come from the environment (port 0 is fine). */
export function startOrderService(config: Partial<WriteServiceConfig> = {}, seams: FaultSeams = {}): Promise<RunningWriteService> {
  return startWriteService(orderService, { ...readOrderConfig(), ...config }, seams);
}
