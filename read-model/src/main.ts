import { onShutdownSignal } from '@delivery/runtime-kit';
import { readModelConfig } from './config/index.ts';
import { startReadModel } from './readModel.ts';

/** `node read-model/src/main.ts`: the read model in the profile READ_MODEL_PROFILE names. */
const readModel = await startReadModel(readModelConfig());
onShutdownSignal([{ name: 'read model', run: () => readModel.close() }], readModel.logger);
