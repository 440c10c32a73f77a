export * from './sqlExecutor.ts';
export * from './connectionConfig.ts';
