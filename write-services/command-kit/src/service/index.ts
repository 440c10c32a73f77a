export * from './writeServiceDefinition.ts';
export * from './writeServiceConfig.ts';
export * from './commandExecutor.ts';
export * from './startWriteService.ts';
export * from './runWriteService.ts';
export * from './faultSeams.ts';
