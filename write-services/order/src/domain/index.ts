export * from './order.ts';
export * from './orderCommand.ts';
export * from './orderTransitions.ts';
export * from './orderDecider.ts';
