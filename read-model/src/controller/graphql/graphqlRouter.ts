import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Router } from 'express';
import { requestIdFrom, requireUtf8Json, type Logger, type Registry } from '@delivery/runtime-kit';
import type { GraphQLSettings } from '../../config/index.ts';
import type { ViewReader } from '../../service/index.ts';
import { formatError } from './errorMasking.ts';
import { graphqlContext, type GraphQLContext } from './graphqlContext.ts';
import { graphqlLimits } from './graphqlLimits.ts';
import { hideSuggestions } from './hideSuggestions.ts';
import { knownOperationTypes } from './knownOperationTypes.ts';
import { loggingPlugin } from './loggingPlugin.ts';
import { metricsPlugin } from './metricsPlugin.ts';
import { resolvers } from './resolvers.ts';
import { loadTypeDefs } from './typeDefs.ts';

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLApi {
  router: Router;
  /** Stops Apollo (after the HTTP server has drained). */
  stop(): Promise<void>;
}

export interface GraphQLDeps {
  reader: ViewReader;
  registry: Registry;
  logger: Logger;
  settings: GraphQLSettings;
}

/**
 * `POST|GET /graphql`: Apollo Server behind its Express 5 adapter. This file only wires:
 * schema from the root schema.graphql, generated-type resolvers, a per-request context with
 * its own loaders, plugins for metrics and logging, `formatError` for the error codes, the
 * per-operation limits, and introspection and suggestions only when the settings allow them.
 */
export async function graphqlRouter({ reader, registry, logger, settings }: GraphQLDeps): Promise<GraphQLApi> {
  const apolloLogger = logger.child({ component: 'graphql' });
  const limits = graphqlLimits(settings);
  const server = new ApolloServer<GraphQLContext>({
    typeDefs: loadTypeDefs(),
    resolvers,
    formatError: settings.introspection ? formatError : hideSuggestions(formatError),
    // Explicit: Apollo's default would follow NODE_ENV.
    introspection: settings.introspection,
    parseOptions: limits.parseOptions,
    validationRules: [knownOperationTypes, ...limits.validationRules],
    includeStacktraceInErrorResponses: false,
    // The platform's shutdown stops Apollo in order (runtime-kit shutdown), not a signal handler of its own.
    stopOnTerminationSignals: false,
    persistedQueries: false,
    logger: {
      debug: (message: string) => apolloLogger.debug(message),
      info: (message: string) => apolloLogger.info(message),
      warn: (message: string) => apolloLogger.warn(message),
      error: (message: string) => apolloLogger.error(message),
    },
    plugins: [ApolloServerPluginLandingPageDisabled(), metricsPlugin(registry), loggingPlugin(logger)],
  });
  await server.start();

  const router = Router();
  router.all(
    GRAPHQL_PATH,
    // A JSON body in another charset than UTF-8 is a 415 problem+json, before body-parser would decode it.
    requireUtf8Json,
    express.json({ limit: '100kb' }),
    expressMiddleware(server, { context: ({ res }) => Promise.resolve(graphqlContext(reader, requestIdFrom(res))) }),
  );
  return { router, stop: () => server.stop() };
}
