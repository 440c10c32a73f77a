import { type Logger, Problem } from '@delivery/runtime-kit';
import type { ErrorRequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/databaseUnavailable.ts';

/** Database outages become 503 + Retry-After (retriable), not 500; mount before the problem handler. */
export function unavailableDatabase(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, _res, next) => {
    if (!isDatabaseUnavailable(error)) {
      next(error);
      return;
    }
    logger.warn({ err: error }, 'database unavailable');
    next(new Problem('SERVICE_UNAVAILABLE', 'The database is unavailable; retry later.', { headers: { 'Retry-After': '1' } }));
  };
}
