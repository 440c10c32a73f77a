export { GRAPHQL_PATH, graphqlRouter, type GraphQLApi } from './graphql/index.ts';
export { openApiDocument } from './openApiDocument.ts';
export { READ_SOURCE_HEADER, restRouter } from './restRouter.ts';
