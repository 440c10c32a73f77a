export * from './sqlExecutor.ts';
export * from './connectionConfig.ts';
export * from './prismaRepository.ts';
export * from './databaseUnavailable.ts';
export * from './lockFact.ts';
export * from './aggregateRepository.ts';
