import { runWriteService } from '@delivery/command-kit';
import { readDispatchConfig } from './config/dispatchConfig.ts';
import { dispatchService } from './dispatchService.ts';

await runWriteService(dispatchService, readDispatchConfig());
