import type { z } from 'zod';
import { Problem } from '@delivery/runtime-kit';

/**
 * Zod issues → the 400 problem's `errors` list (which field, why); `field` names the input
 * when the schema checked a single value (an id from the path or a GraphQL argument).
 */
export function validationProblem(error: z.ZodError, field?: string): Problem {
  const errors = error.issues.map((issue) => ({ field: field ?? (issue.path.join('.') || '(query)'), message: issue.message }));
  return new Problem('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { extensions: { errors } });
}
