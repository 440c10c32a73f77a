import type { Logger } from '@delivery/runtime-kit';
import { requestIdFrom } from '@delivery/runtime-kit';
import type { RequestHandler } from 'express';

const QUIET = /^\/(health|metrics)/;

/** One JSON line per request with its request id; probes and scrapes at debug level. */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const line = {
        requestId: requestIdFrom(res),
        method: req.method,
        path: req.originalUrl,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
      if (QUIET.test(req.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    next();
  };
}
