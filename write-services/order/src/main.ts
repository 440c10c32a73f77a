import { runWriteService } from '@delivery/command-kit';
import { readOrderConfig } from './config/orderConfig.ts';
import { orderService } from './orderService.ts';

await runWriteService(orderService, readOrderConfig());
