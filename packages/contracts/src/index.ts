export * from './primitives.ts';
export * from './topics.ts';
export * from './order-events.ts';
export * from './dispatch-events.ts';
export * from './delivery-events.ts';
export * from './event-envelope.ts';
export * from './query-api.ts';
