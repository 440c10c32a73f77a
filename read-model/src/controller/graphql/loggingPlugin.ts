import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@delivery/runtime-kit';
import { problemCodeOf } from './errorMasking.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { outcomeOf } from './metricsPlugin.ts';

/**
 * One debug line per operation; unexpected errors (masked as INTERNAL for the client) at
 * error level with their cause. Problems (a store down, a bad argument) are expected answers:
 * the service layer already logs the failures behind them.
 */
export function loggingPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart: () => {
      const started = performance.now();
      return Promise.resolve({
        didEncounterErrors: ({ errors, contextValue, operationName }) => {
          for (const error of errors) {
            if (problemCodeOf(error) !== 'INTERNAL') continue;
            logger.error({ err: error.originalError ?? error, path: error.path, operationName, requestId: contextValue.requestId }, 'GraphQL operation failed');
          }
          return Promise.resolve();
        },
        willSendResponse: (requestContext) => {
          logger.debug(
            {
              requestId: requestContext.contextValue.requestId,
              operationName: requestContext.operationName,
              outcome: outcomeOf(requestContext),
              durationMs: Math.round(performance.now() - started),
            },
            'GraphQL operation',
          );
          return Promise.resolve();
        },
      });
    },
  };
}
