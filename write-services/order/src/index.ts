export { orderService, startOrderService } from './orderService.ts';
export { readOrderConfig, ORDER_DEFAULT_PORT } from './config/orderConfig.ts';
export * from './domain/index.ts';
export { orderCommands } from './api/orderCommands.ts';
