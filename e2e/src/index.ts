export * from './wholeSystem.ts';
export * from './eventually.ts';
export * from './client.ts';
export * from './orderJourney.ts';
