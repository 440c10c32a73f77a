import { z } from 'zod';

/** The body of a command without fields (`accept`, `pickup`, `complete`): empty or `{}`. */
export const EmptyBody = z.strictObject({});
