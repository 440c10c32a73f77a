import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /**
   * Write stdout asynchronously (pino.destination with sync: false: lines that arrive while
   * a write is under way go out together in the next one) instead of one synchronous write
   * per line: for hot paths that log every request. Pending lines are flushed
   * synchronously on process exit.
   */
  async?: boolean;
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
  return options.async ? pino(settings, pino.destination({ dest: 1, sync: false })) : pino(settings);
}
