import { runWriteService } from '@delivery/command-kit';
import { readDeliveryConfig } from './config/deliveryConfig.ts';
import { deliveryService } from './deliveryService.ts';

await runWriteService(deliveryService, readDeliveryConfig());
