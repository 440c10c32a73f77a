import { createLogger, onShutdownSignal, startTracing, tracing } from '@delivery/runtime-kit';
import { gatewayConfig } from './gatewayConfig.ts';
import { startGateway, type RunningGateway } from './gateway.ts';
import { startGatewayWorkers } from './gatewayWorkers.ts';

// Composition root: environment → config → gateway (one, or GATEWAY_WORKERS worker threads);
// SIGHUP (and, unless GATEWAY_ROUTES_WATCH=false, a change of the file) reloads the route
// file, SIGTERM/SIGINT drain and stop. Traces (OTEL_EXPORTER_OTLP_ENDPOINT) are recorded where
// requests are served: here with one thread, in each worker thread otherwise.
const config = gatewayConfig();
const threaded = config.workers > 1;
const logger = createLogger('gateway', config.logLevel, { async: true, sharedStdout: threaded });
try {
  let close = (): Promise<void> => Promise.resolve();
  const stopAfterLoss = () => {
    // A worker died (a bug): drain the others and exit 1, so that the orchestrator restarts a whole gateway.
    const deadline = setTimeout(() => process.exit(1), config.shutdownGraceMs + 1000);
    deadline.unref();
    void close().finally(() => {
      logger.flush();
      process.exit(1);
    });
  };
  if (!threaded) await startTracing('gateway', { logger });
  const gateway: RunningGateway = threaded
    ? await startGatewayWorkers(config, { logger, onWorkerLost: stopAfterLoss })
    : await startGateway(config, { logger });
  close = () => gateway.close();
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading routes');
    gateway.reload().catch(() => undefined); // refused reloads are logged by the gateway
  });
  onShutdownSignal(
    [
      { name: 'gateway', run: () => gateway.close() },
      { name: 'tracing', run: () => tracing().shutdown() },
    ],
    logger,
    config.shutdownGraceMs + 1000,
  );
} catch (error) {
  logger.fatal({ err: error }, (error as Error).message);
  logger.flush();
  process.stderr.write(`gateway: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
