export * from './primitives.ts';
export * from './topics.ts';
export * from './orderEvents.ts';
export * from './dispatchEvents.ts';
export * from './deliveryEvents.ts';
export * from './eventEnvelope.ts';
export * from './queryApi.ts';
