export * from './dispatch.ts';
export * from './dispatchCommand.ts';
export * from './dispatchTransitions.ts';
export * from './dispatchDecider.ts';
