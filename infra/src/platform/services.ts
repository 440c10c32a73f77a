import { join } from 'node:path';

/** The five services of architecture.md: one definition used by `npm start` and the e2e suite. */
export interface ServiceDefinition {
  name: 'gateway' | 'order' | 'dispatch' | 'delivery' | 'read-model';
  entry: string;
  defaultPort: number;
}

const root = join(import.meta.dirname, '../../..');

export const SERVICES: readonly ServiceDefinition[] = [
  { name: 'order', entry: join(root, 'write-services/order/src/main.ts'), defaultPort: 8081 },
  { name: 'dispatch', entry: join(root, 'write-services/dispatch/src/main.ts'), defaultPort: 8082 },
  { name: 'delivery', entry: join(root, 'write-services/delivery/src/main.ts'), defaultPort: 8083 },
  { name: 'read-model', entry: join(root, 'read-model/src/main.ts'), defaultPort: 8084 },
  { name: 'gateway', entry: join(root, 'gateway/src/main.ts'), defaultPort: 8080 },
];

export type ServicePorts = Record<ServiceDefinition['name'], number>;

export const DEFAULT_PORTS: ServicePorts = Object.fromEntries(
  SERVICES.map((s) => [s.name, s.defaultPort]),
) as ServicePorts;

/** Environment wiring the services to each other (ORDER_URL etc.) for a set of ports. */
export function serviceUrls(ports: ServicePorts): Record<string, string> {
  return {
    ORDER_URL: `http://127.0.0.1:${ports.order}`,
    DISPATCH_URL: `http://127.0.0.1:${ports.dispatch}`,
    DELIVERY_URL: `http://127.0.0.1:${ports.delivery}`,
    READ_MODEL_URL: `http://127.0.0.1:${ports['read-model']}`,
    GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
  };
}
