export { deliveryService, startDeliveryService } from './deliveryService.ts';
export { readDeliveryConfig, DELIVERY_DEFAULT_PORT } from './config/deliveryConfig.ts';
export * from './domain/index.ts';
export { deliveryCommands } from './api/deliveryCommands.ts';
