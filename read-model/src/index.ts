export { readModelConfig, CONTRACT_TOPICS, PROFILES, type Profile, type ReadModelConfig, type TopicNames } from './config/index.ts';
export { startReadModel, type ReadModel, type ReadModelOverrides } from './readModel.ts';
export { ViewReader, OrderListParams, type Found, type LookupResult, type ReadSource } from './service/index.ts';
export { DeliveryView, DispatchView, OrderPage, OrderView, Stage, STAGES, type Views } from './handler/index.ts';
