// Test support that needs jest's globals (describe/it/expect): import from '@delivery/command-kit/testing/jest'.
export * from './deciderSpecification.ts';
export * from './badInputSuite.ts';
