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

/** A port per service, and the gateway's admin port (`/metrics`, `/routes`; loopback only). */
export type ServicePorts = Record<ServiceDefinition['name'], number> & { 'gateway-admin': number };

/** The gateway's admin port when nothing says otherwise (gateway/src/gatewayConfig.ts). */
export const DEFAULT_GATEWAY_ADMIN_PORT = 9080;

/** The two services clients call; the write services are reached only through them. */
export type PublicService = 'gateway' | 'read-model';
export type PublicHosts = Partial<Record<PublicService, string>>;

/**
 * The listen address (`HOST`) a service gets from `npm start` and the test platform:
 * loopback, always for the write services (reached only by the gateway and the read
 * model's fallback, on this machine); the gateway and the read model may be given a wider
 * one (`GATEWAY_HOST`, `READ_MODEL_HOST` for `npm start`). docs/decisions/listen-addresses.md.
 */
export function listenHost(name: ServiceDefinition['name'], publicHosts: PublicHosts = {}): string {
  return name === 'gateway' || name === 'read-model' ? (publicHosts[name] ?? '127.0.0.1') : '127.0.0.1';
}

/** Where this machine reaches a service listening on `host` (a wildcard address is reached on loopback). */
export function probeOrigin(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  const address = wildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${address}:${port}`;
}

export const DEFAULT_PORTS: ServicePorts = {
  ...(Object.fromEntries(SERVICES.map((s) => [s.name, s.defaultPort])) as Record<ServiceDefinition['name'], number>),
  'gateway-admin': DEFAULT_GATEWAY_ADMIN_PORT,
};

/** Environment wiring the services to each other (ORDER_URL etc.) for a set of ports. */
export function serviceUrls(ports: ServicePorts): Record<string, string> {
  return {
    ORDER_URL: `http://127.0.0.1:${ports.order}`,
    DISPATCH_URL: `http://127.0.0.1:${ports.dispatch}`,
    DELIVERY_URL: `http://127.0.0.1:${ports.delivery}`,
    READ_MODEL_URL: `http://127.0.0.1:${ports['read-model']}`,
    GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
    GATEWAY_ADMIN_URL: `http://127.0.0.1:${ports['gateway-admin']}`,
  };
}
