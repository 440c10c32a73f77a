export * from './idempotencyStore.ts';
export * from './requestFingerprint.ts';
