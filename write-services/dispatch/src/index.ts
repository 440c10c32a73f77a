export { dispatchService, startDispatchService } from './dispatchService.ts';
export { readDispatchConfig, DISPATCH_DEFAULT_PORT } from './config/dispatchConfig.ts';
export * from './domain/index.ts';
export { dispatchCommands } from './api/dispatchCommands.ts';
