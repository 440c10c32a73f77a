import type { Logger } from 'pino';

/**
 * Graceful shutdown as a named list of steps run in order (drain HTTP, stop the relay or
 * consumer, close clients), bounded by a grace period, on SIGTERM or SIGINT.
 */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export function runShutdown(steps: readonly ShutdownStep[], logger: Logger): Promise<void> {
  return steps.reduce(
    (previous, step) =>
      previous.then(async () => {
        try {
          await step.run();
          logger.info({ step: step.name }, 'shutdown step done');
        } catch (error) {
          logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }),
    Promise.resolve(),
  );
}

export function onShutdownSignal(steps: readonly ShutdownStep[], logger: Logger, graceMs = 15_000): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown grace period exceeded, exiting');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    void runShutdown(steps, logger).then(() => {
      logger.flush();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
