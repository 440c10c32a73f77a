export * from './decider.ts';
export * from './commandRejected.ts';
export * from './transitionTable.ts';
export * from './stampEvents.ts';
export * from './defineDecider.ts';
export * from './createdBy.ts';
export * from './changedBy.ts';
