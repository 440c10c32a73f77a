// Test support that needs jest's globals (describe/it/expect): import from '@delivery/test-support/jest'.
export * from './deciderSpecification.ts';
export * from './badInputSuite.ts';
