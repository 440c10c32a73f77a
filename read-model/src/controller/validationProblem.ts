import type { z } from 'zod';
import { fieldErrorsOf, invalidFields, type Problem } from '@delivery/runtime-kit';

/**
 * Zod issues → the 400 problem naming each bad field (runtime-kit's shape, as the write
 * services answer); `field` names the input when the schema checked a single value (an id
 * from the path or a GraphQL argument).
 */
export function validationProblem(error: z.ZodError, field?: string): Problem {
  const errors =
    field === undefined ? fieldErrorsOf(error.issues, '(query)') : error.issues.map((issue) => ({ field, message: issue.message }));
  return invalidFields(errors, field === undefined ? 'query' : field);
}
