export * from './delivery.ts';
export * from './deliveryCommand.ts';
export * from './deliveryTransitions.ts';
export * from './deliveryDecider.ts';
