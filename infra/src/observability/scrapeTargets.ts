import { DEFAULT_PORTS, SERVICES, type ServiceDefinition, type ServicePorts } from '../platform/services.ts';

export type ServiceName = ServiceDefinition['name'];

/**
 * The one place that says where Prometheus scrapes each service's `/metrics`: one job per
 * service, named after it, at `<host>:<metrics port>`. The shipped ops/prometheus/prometheus.yml
 * (this machine, default ports) and prometheus.compose.yml (compose service names) are checked
 * against it, and `npm start` / the tests rewrite the shipped file's targets with it.
 */
export function metricsPort(name: ServiceName, ports: ServicePorts): number {
  // The gateway's public port serves commands only; its metrics are on the admin port.
  return name === 'gateway' ? ports['gateway-admin'] : ports[name];
}

/** job name → `host:port`; `hostOf` names the host per service (loopback here, the service name in compose). */
export function scrapeTargets(ports: ServicePorts = DEFAULT_PORTS, hostOf: (name: ServiceName) => string = () => '127.0.0.1'): Record<ServiceName, string> {
  return Object.fromEntries(SERVICES.map((s) => [s.name, `${hostOf(s.name)}:${metricsPort(s.name, ports)}`])) as Record<ServiceName, string>;
}

/** The targets of compose.yaml's Prometheus: each service by its compose service name, at its default port. */
export const composeScrapeTargets = (): Record<ServiceName, string> => scrapeTargets(DEFAULT_PORTS, (name) => name);
