// Test and benchmark support usable anywhere (plain node scripts too); jest-only helpers are
// in ./jest.ts ('@delivery/test-support/jest'). Never imported by any workspace's src/.
export * from './eventually.ts';
export * from './freePort.ts';
export * from './processCpu.ts';
export * from './benchmarkSection.ts';
export * from './groupLag.ts';
export * from './throwawayDatabase.ts';
export * from './eventTap.ts';
export * from './commandClient.ts';
export * from './serviceUnderTest.ts';
export * from './placeOrderBody.ts';
export * from './writeServicesUnderTest.ts';
export * from './validJourney.ts';
export * from './redelivery.ts';
export * from './cpuProfile.ts';
export * from './inMemoryTracing.ts';
export * from './openApiErrors.ts';
export * from './consumerGroups.ts';
export * from './javaProfile.ts';
export * from './wrkOutput.ts';
export * from './percentile.ts';
export * from './benchRoutes.ts';
