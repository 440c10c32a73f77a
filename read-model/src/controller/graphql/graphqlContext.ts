import type { ViewReader } from '../../service/index.ts';
import { createViewLoaders, type ViewLoaders } from './viewLoaders.ts';

/** The resolvers' context: built per request (the loaders must never outlive it). */
export interface GraphQLContext {
  reader: ViewReader;
  loaders: ViewLoaders;
  requestId: string;
}

export function graphqlContext(reader: ViewReader, requestId: string): GraphQLContext {
  return { reader, loaders: createViewLoaders(reader, { requestId, fallbackBudget: reader.fallbackBudget() }), requestId };
}
