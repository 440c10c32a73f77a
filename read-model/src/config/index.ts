export {
  CONTRACT_TOPICS,
  PROFILES,
  readModelConfig,
  type Profile,
  type ReadModelConfig,
  type ReadModelEnv,
  type TopicNames,
} from './readModelConfig.ts';
