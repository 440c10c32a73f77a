import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, createRegistry, startTracing, type Logger } from '@delivery/runtime-kit';
import { startGateway } from './gateway.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './gatewayWorkers.ts';
import { BucketTable } from './rateLimiter.ts';

// One worker thread of a gateway with GATEWAY_WORKERS > 1 (started by gatewayWorkers.ts):
// the whole gateway on the shared port and the shared rate-limit table, answering the main
// thread's requests for reloads, metrics, routes and shutdown.
if (parentPort === null) throw new Error('gatewayWorker.ts runs as a worker thread of gatewayWorkers.ts');
const port = parentPort;
const setup = workerData as WorkerSetup;

const logger = createLogger('gateway', setup.config.logLevel, { async: true, sharedStdout: true }).child({ worker: setup.id });
// Process metrics are the main thread's: reported once, not once per thread.
const registry = createRegistry('gateway', { defaultMetrics: false });
// Each thread records and exports the spans of the requests it serves.
const traces = await startTracing('gateway', { logger });
const gateway = await startGateway(setup.config, {
  logger,
  registry,
  rateLimitTable: BucketTable.attach(setup.table),
  routesText: setup.routesText,
  worker: { id: setup.id },
});

const post = (message: FromWorker) => port.postMessage(message);

async function answer(message: ToWorker): Promise<unknown> {
  switch (message.type) {
    case 'reload':
      return { routes: gateway.applyRoutes(message.text) };
    case 'metrics':
      return registry.getMetricsAsJSON();
    case 'routes':
      return gateway.describeRoutes();
    case 'close':
      await gateway.close();
      await traces.shutdown();
      await flushed(logger);
      return undefined;
  }
}

port.on('message', (message: ToWorker) => {
  answer(message).then(
    (value) => post({ type: 'reply', seq: message.seq, value }),
    (error: unknown) => post({ type: 'reply', seq: message.seq, error: error instanceof Error ? error.message : String(error) }),
  );
});
post({ type: 'listening', port: gateway.port });

/** The log lines written so far are out (the main thread terminates the thread next). */
function flushed(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    log.flush(() => resolve());
  });
}
