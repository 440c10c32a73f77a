import type { Kafka } from 'kafkajs';
import type { Logger } from '@delivery/runtime-kit';
import type { ReadModelConfig, TopicNames } from '../config/index.ts';
import type { ViewCollections, ViewStore } from '../repository/index.ts';
import type { ReadModelMetrics } from '../readModelMetrics.ts';
import { BatchProjector, type BatchProjectorDeps } from './batchProjector.ts';
import { deadLetterProducer, DeadLetterPublisher } from './deadLetters.ts';
import { ProjectionConsumer } from './projectionConsumer.ts';

export const eventTopics = (topics: TopicNames): string[] => [topics.order, topics.dispatch, topics.delivery];

export interface ProjectionSetup {
  config: Readonly<ReadModelConfig>;
  kafka: Kafka;
  groupId: string;
  store: ViewStore;
  /** Where the chunk is written: the active generation (live) or the one being rebuilt. */
  views: () => Promise<ViewCollections>;
  cache: NonNullable<BatchProjectorDeps['cache']>;
  metrics: ReadModelMetrics;
  logger: Logger;
}

/** A supervised consumer group projecting the event topics, with its dead-letter producer. */
export function createProjection(setup: ProjectionSetup): ProjectionConsumer {
  const { config, kafka, groupId, metrics, logger } = setup;
  const topics = config.kafka.topics;
  const producer = deadLetterProducer(kafka);
  return new ProjectionConsumer({
    kafka,
    groupId,
    topics: eventTopics(topics),
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    partitionsConcurrency: config.kafka.partitionsConcurrency,
    chunkSize: config.projection.chunkSize,
    producer,
    metrics,
    logger,
    projector: new BatchProjector({
      topics,
      store: setup.store,
      views: setup.views,
      cache: setup.cache,
      deadLetters: new DeadLetterPublisher(producer, { topic: topics.deadLetter, groupId }),
      metrics,
      logger,
    }),
  });
}
