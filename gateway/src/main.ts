import { createLogger, onShutdownSignal } from '@delivery/runtime-kit';
import { gatewayConfig } from './gatewayConfig.ts';
import { startGateway } from './gateway.ts';

// Composition root: environment → config → gateway; SIGHUP reloads the route file,
// SIGTERM/SIGINT drain and stop.
const config = gatewayConfig();
const logger = createLogger('gateway', config.logLevel, { async: true });
try {
  const gateway = await startGateway(config, { logger });
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading routes');
    gateway.reload().catch(() => undefined); // refused reloads are logged by the gateway
  });
  onShutdownSignal([{ name: 'gateway', run: () => gateway.close() }], logger, config.shutdownGraceMs + 1000);
} catch (error) {
  logger.fatal({ err: error }, (error as Error).message);
  logger.flush();
  process.stderr.write(`gateway: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
