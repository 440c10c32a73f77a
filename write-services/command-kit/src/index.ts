export * from './domain/index.ts';
export * from './db/index.ts';
export * from './migrations/index.ts';
export * from './outbox/index.ts';
export * from './idempotency/index.ts';
export * from './http/index.ts';
export * from './service/index.ts';
export * from './owners/index.ts';
