import { createLogger } from '@delivery/runtime-kit';
import { readModelConfig } from './config/index.ts';
import { rebuildViews } from './consumer/index.ts';

/**
 * `npm run read-model:rebuild`: replays the event topics into a fresh generation of view
 * collections and swaps it in (see consumer/rebuildViews.ts). Same environment as main.ts.
 */
const config = readModelConfig();
const logger = createLogger('read-model-rebuild', config.logLevel);
const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort.abort(new Error(`interrupted by ${signal}`)));
try {
  const result = await rebuildViews(config, logger, { signal: abort.signal });
  logger.info(result, 'rebuild finished');
  process.exit(0);
} catch (error) {
  logger.error({ err: error }, 'rebuild failed; the active views were not changed');
  process.exit(1);
}
