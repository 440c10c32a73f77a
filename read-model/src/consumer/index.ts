export { BatchProjector, type BatchProjectorDeps } from './batchProjector.ts';
export { ConsumerLagPoller } from './consumerLag.ts';
export { deadLetterProducer, DeadLetterPublisher, DLT_HEADERS, type DeadLetter, type SourceMessage } from './deadLetters.ts';
export { decodeMessage, type Decoded } from './decodeMessage.ts';
export { createKafka } from './kafkaClient.ts';
export { ProjectionConsumer, type ChunkProjector, type ProjectionConsumerOptions } from './projectionConsumer.ts';
export { rebuildViews, type RebuildOptions, type RebuildResult } from './rebuildViews.ts';
export { createProjection, eventTopics, type ProjectionSetup } from './createProjection.ts';
export { OrderListBackfill, type OrderListBackfillDeps } from './orderListBackfill.ts';
