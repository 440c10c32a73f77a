import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { Counter, Histogram, LATENCY_BUCKETS, type Registry } from '@delivery/runtime-kit';
import type { GraphQLContext } from './graphqlContext.ts';

/** ok: no error; partial: data and field errors; failed: errors, no data; rejected: not executed (parse, validation). */
export type GraphQLOutcome = 'ok' | 'partial' | 'failed' | 'rejected';

export function outcomeOf(requestContext: GraphQLRequestContextWillSendResponse<GraphQLContext>): GraphQLOutcome {
  const body = requestContext.response.body;
  const result = body.kind === 'single' ? body.singleResult : body.initialResult;
  if (!result.errors?.length) return 'ok';
  if (!('data' in result) || result.data === undefined) return 'rejected';
  return result.data === null ? 'failed' : 'partial';
}

/**
 * GraphQL operations by outcome, their latency, and errors by catalogue code (the masked
 * codes: this runs after `formatError`). Labels are bounded: no operation names, no paths.
 * Reads per view and source stay counted by the service layer (`read_model_reads_total`).
 */
export function metricsPlugin(registry: Registry): ApolloServerPlugin<GraphQLContext> {
  const registers = [registry];
  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by outcome (ok, partial, failed, rejected)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation latency, from request start to response, by outcome',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors in GraphQL responses by problem catalogue code',
    labelNames: ['code'] as const,
    registers,
  });
  return {
    requestDidStart: () => {
      const stop = duration.startTimer();
      return Promise.resolve({
        willSendResponse: (requestContext) => {
          const outcome = outcomeOf(requestContext);
          operations.inc({ outcome });
          stop({ outcome });
          const body = requestContext.response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          for (const error of result.errors ?? []) {
            const code = error.extensions?.['code'];
            errors.inc({ code: typeof code === 'string' ? code : 'INTERNAL' });
          }
          return Promise.resolve();
        },
      });
    },
  };
}
