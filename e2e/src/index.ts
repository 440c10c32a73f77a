export * from './whole-system.ts';
export * from './eventually.ts';
export * from './client.ts';
export * from './order-journey.ts';
