import { onShutdownSignal, startTracing, tracing } from '@delivery/runtime-kit';
import { readModelConfig } from './config/index.ts';
import { startReadModel } from './readModel.ts';

/** `node read-model/src/main.ts`: the read model in the profile READ_MODEL_PROFILE names. */
const config = readModelConfig();
// Before the read model's components, which take the process's tracing when they are built.
await startTracing('read-model');
const readModel = await startReadModel(config);
onShutdownSignal(
  [
    { name: 'read model', run: () => readModel.close() },
    { name: 'tracing', run: () => tracing().shutdown() },
  ],
  readModel.logger,
);
