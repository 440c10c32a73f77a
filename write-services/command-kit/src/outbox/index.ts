export * from './outboxTable.ts';
export * from './relayLease.ts';
export * from './kafkaPublisher.ts';
export * from './outboxMetrics.ts';
export * from './outboxRelay.ts';
