import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { Problem, type ProblemCode } from '@delivery/runtime-kit';

/** Apollo's own codes, in the platform's catalogue (packages/runtime-kit/src/problem.ts). */
const APOLLO_CODES: Record<ApolloServerErrorCode, ProblemCode> = {
  [ApolloServerErrorCode.GRAPHQL_PARSE_FAILED]: 'MALFORMED_REQUEST',
  [ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED]: 'VALIDATION_FAILED',
  [ApolloServerErrorCode.BAD_USER_INPUT]: 'VALIDATION_FAILED',
  [ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE]: 'VALIDATION_FAILED',
  [ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED]: 'VALIDATION_FAILED',
  [ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND]: 'VALIDATION_FAILED',
  [ApolloServerErrorCode.BAD_REQUEST]: 'MALFORMED_REQUEST',
  [ApolloServerErrorCode.INTERNAL_SERVER_ERROR]: 'INTERNAL',
};

const isApolloCode = (code: unknown): code is ApolloServerErrorCode => typeof code === 'string' && Object.hasOwn(APOLLO_CODES, code);

/** The Problem a resolver threw (or a loader rejected with), if any. */
export function problemOf(error: unknown): Problem | undefined {
  const cause = unwrapResolverError(error);
  return cause instanceof Problem ? cause : undefined;
}

/** An error's catalogue code; anything neither a Problem nor Apollo's own is INTERNAL. */
export function problemCodeOf(error: unknown, formattedCode?: unknown): ProblemCode {
  const problem = problemOf(error);
  if (problem) return problem.code;
  const code = formattedCode ?? (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return isApolloCode(code) ? APOLLO_CODES[code] : 'INTERNAL';
}

const MASKED_MESSAGE = 'An unexpected error occurred.';

/**
 * Apollo's `formatError`: the one hook every error passes, including those raised before the
 * request pipeline (a body without a query), which plugins never see. `extensions.code` is
 * the REST catalogue's code (plus the Problem's own extensions, e.g. `errors` of a 400);
 * the message of an unexpected error is masked, and no stack trace leaves the service.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const problem = problemOf(error);
  const code = problemCodeOf(error, formatted.extensions?.['code']);
  return {
    message: problem?.message ?? (code === 'INTERNAL' ? MASKED_MESSAGE : formatted.message),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { ...problem?.extensions, code },
  };
}
