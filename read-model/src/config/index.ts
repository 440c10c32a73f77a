export {
  CONTRACT_TOPICS,
  PROFILES,
  readModelConfig,
  type GraphQLSettings,
  type Profile,
  type ReadModelConfig,
  type ReadModelEnv,
  type TopicNames,
} from './readModelConfig.ts';
