import type { GraphQLFormattedError } from 'graphql';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

// graphql-js ends a message with its suggestion: ` Did you mean "status"?`, `… "a", "b", or
// "c"?`, ` Did you mean the enum value "DELIVERED"?` (the last also from variable coercion).
const SUGGESTION = / ?Did you mean .+\?$/s;

/**
 * Wraps `formatError` so that no error names fields, types or enum values the client did not
 * write: with introspection off, suggestions would hand the schema out one guess at a time.
 * (Apollo's own option and armor's plugin each miss some of the forms above.)
 */
export function hideSuggestions(format: FormatError): FormatError {
  return (formatted, error) => format({ ...formatted, message: formatted.message.replace(SUGGESTION, '') }, error);
}
