import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /**
   * Buffer lines and write stdout asynchronously (pino.destination, sync: false) instead of
   * one synchronous write per line: for hot paths that log every request (measured on the
   * gateway: the access log cost about 30 µs of CPU per request unbuffered). Lines reach
   * stdout when 8 KiB are buffered or at the latest after `flushMs`, and are flushed
   * synchronously on process exit.
   */
  async?: boolean;
  flushMs?: number;
}

/** JSON logs, one line per event, with the service name on every line. */
export function createLogger(
  service: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  options: LoggerOptions = {},
): Logger {
  const settings = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (!options.async) return pino(settings);
  const destination = pino.destination({ dest: 1, sync: false, minLength: 8 * 1024 });
  setInterval(() => {
    destination.flush();
  }, options.flushMs ?? 250).unref();
  return pino(settings, destination);
}
