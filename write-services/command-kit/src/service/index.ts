export * from './writeServiceDefinition.ts';
export * from './writeServiceConfig.ts';
export * from './commandExecutor.ts';
export * from './faultSeams.ts';
export * from './commandRoute.ts';
export * from './commandErrors.ts';
export * from './commandHandler.ts';
