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
  /**
   * Other threads of the process write the same stdout (the gateway's worker threads): with
   * `async`, each write is at most 4 KiB of whole lines (PIPE_BUF: a pipe takes it at once),
   * so lines of different threads never interleave. Only a single line longer than that can.
   */
  sharedStdout?: boolean;
}

/** Linux's PIPE_BUF: writes to a pipe up to this size are atomic. */
const PIPE_BUF = 4096;

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
  return pino(settings, pino.destination({ dest: 1, sync: false, ...(options.sharedStdout ? { maxWrite: PIPE_BUF } : {}) }));
}
