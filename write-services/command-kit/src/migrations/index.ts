export * from './migrationFiles.ts';
export * from './migrationRunner.ts';
