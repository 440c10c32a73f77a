export { GRAPHQL_PATH, graphqlRouter, type GraphQLApi, type GraphQLDeps } from './graphqlRouter.ts';
export type { GraphQLContext } from './graphqlContext.ts';
