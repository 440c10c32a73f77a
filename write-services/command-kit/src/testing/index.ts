export * from './throwawayDatabase.ts';
export * from './eventTap.ts';
export * from './commandClient.ts';
export * from './deciderSpecification.ts';
export * from './serviceUnderTest.ts';
export * from './badInputSuite.ts';
