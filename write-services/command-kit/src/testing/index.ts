// Test support usable anywhere (plain node scripts too); jest-only helpers are in ./jest.ts.
export * from './throwawayDatabase.ts';
export * from './eventTap.ts';
export * from './commandClient.ts';
export * from './serviceUnderTest.ts';
