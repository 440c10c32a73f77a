export { BatchProjector, type BatchProjectorDeps, type SourceMessage } from './batchProjector.ts';
export { ConsumerLagPoller } from './consumerLag.ts';
export { DeadLetterPublisher, DLT_HEADERS, type DeadLetter } from './deadLetters.ts';
export { decodeMessage, type Decoded } from './decodeMessage.ts';
export { createKafka } from './kafkaClient.ts';
export { ProjectionConsumer, type ChunkProjector, type ProjectionConsumerOptions } from './projectionConsumer.ts';
export { rebuildViews, type RebuildOptions, type RebuildResult } from './rebuildViews.ts';
