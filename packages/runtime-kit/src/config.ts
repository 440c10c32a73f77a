import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Reads the environment once at boot, validates it against a zod shape and returns a
 * deep-frozen object. A bad value stops the process with a message naming the variable.
 */
export function readConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<z.ZodObject<S>>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Common environment fields. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  /** A listen address (`HOST`): an IP literal (`127.0.0.1`, `0.0.0.0`, `::`) or a host name; no brackets, no port. */
  host: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((value) => isIP(value) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(value), {
        error: 'must be an IP address or a host name to listen on (e.g. 127.0.0.1 or 0.0.0.0)',
      }),
  url: (fallback: string) => z.url().default(fallback),
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  millis: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  flag: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((s) => s === 'true' || s === '1'),
};
