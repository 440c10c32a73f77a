import type { DomainEvent } from '@delivery/contracts';
import { createLogger, onShutdownSignal, startTracing, tracing } from '@delivery/runtime-kit';
import type { SqlExecutor } from './db/sqlExecutor.ts';
import type { AggregateState, Command } from './domain/decider.ts';
import { readFaultSeams } from './service/faultSeams.ts';
import { startWriteService } from './startWriteService.ts';
import type { WriteServiceConfig } from './service/writeServiceConfig.ts';
import type { WriteServiceDefinition } from './service/writeServiceDefinition.ts';

/** `main.ts` of a write service: start, then stop gracefully on SIGTERM/SIGINT; exit 1 if start fails. */
export async function runWriteService<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  definition: WriteServiceDefinition<S, C, E, Tx>,
  config: Readonly<WriteServiceConfig>,
): Promise<void> {
  try {
    // Before the service's components, which take the process's tracing when they are built.
    await startTracing(`${definition.service}-service`);
    const service = await startWriteService(definition, config, readFaultSeams());
    onShutdownSignal(
      [
        { name: 'write service', run: () => service.close() },
        { name: 'tracing', run: () => tracing().shutdown() },
      ],
      service.logger,
      config.shutdownGraceMs,
    );
  } catch (error) {
    const logger = createLogger(`${definition.service}-service`, config.logLevel);
    logger.fatal({ err: error }, 'start failed');
    logger.flush();
    process.exit(1);
  }
}
