import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tailLines } from '../process/tailLines.ts';
import { listenHost, probeOrigin, type PublicHosts, type ServiceDefinition, type ServicePorts, SERVICES, serviceUrls } from './services.ts';

/**
 * Runs the five services as child processes under the current Node, each with its own
 * log file, and waits for every `/health/ready`. Used by `npm start` and the e2e suite.
 */
export interface RunningService {
  definition: ServiceDefinition;
  port: number;
  url: string;
  logFile: string;
  child: ChildProcess;
}

export interface Platform {
  services: RunningService[];
  ports: ServicePorts;
  urls: Record<string, string>;
  /** SIGTERM to every service (gateway first), waits for all to exit. */
  stop(): Promise<void>;
  stopService(name: ServiceDefinition['name']): Promise<void>;
  /** Starts (or restarts) one service; `env` adds to the platform's environment for this process only. */
  startService(name: ServiceDefinition['name'], options?: { env?: NodeJS.ProcessEnv; waitReady?: boolean }): Promise<void>;
  /** The service's current process (a restart replaces it), e.g. to send it a signal. */
  service(name: ServiceDefinition['name']): RunningService | undefined;
}

export interface PlatformOptions {
  ports: ServicePorts;
  env: NodeJS.ProcessEnv;
  logDir: string;
  readyTimeoutMs?: number;
  /** Listen addresses of the gateway and the read model (default loopback); the write services always listen on loopback. */
  publicHosts?: PublicHosts;
  /** Added to `env` for one service only (a benchmark's reaction groups of its own). */
  serviceEnv?: Partial<Record<ServiceDefinition['name'], NodeJS.ProcessEnv>>;
  /** Node options before each service's entry (a benchmark's `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArguments?: readonly string[];
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  mkdirSync(options.logDir, { recursive: true });
  const urls = serviceUrls(options.ports);
  const env = { ...process.env, ...options.env, ...urls };
  const running = new Map<string, RunningService>();

  const launch = async (definition: ServiceDefinition, extra: { env?: NodeJS.ProcessEnv; waitReady?: boolean } = {}): Promise<RunningService> => {
    const port = options.ports[definition.name];
    const logFile = join(options.logDir, `${definition.name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    // HOST last: neither the caller's shell (some export HOST as the machine's name) nor `env` widens a write service.
    const host = listenHost(definition.name, options.publicHosts);
    const child = spawn(process.execPath, [...(options.nodeArguments ?? []), definition.entry], {
      env: {
        ...env,
        ...options.serviceEnv?.[definition.name],
        ...extra.env,
        PORT: String(port),
        HOST: host,
        ...(definition.name === 'gateway' ? { GATEWAY_ADMIN_PORT: String(options.ports['gateway-admin']) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const service: RunningService = { definition, port, url: probeOrigin(host, port), logFile, child };
    running.set(definition.name, service);
    if (extra.waitReady !== false) await waitReady(service, options.readyTimeoutMs ?? 60_000);
    return service;
  };

  const stopOne = async (service: RunningService) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return;
    const exited = new Promise((resolve) => service.child.once('exit', resolve));
    service.child.kill('SIGTERM');
    const timer = setTimeout(() => service.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    // Write services and read model in parallel; the gateway last, once its upstreams answer.
    await Promise.all(SERVICES.filter((s) => s.name !== 'gateway').map((s) => launch(s)));
    await Promise.all(SERVICES.filter((s) => s.name === 'gateway').map((s) => launch(s)));
  } catch (error) {
    await Promise.all([...running.values()].map(stopOne));
    throw error;
  }

  return {
    services: [...running.values()],
    ports: options.ports,
    urls,
    stop: async () => {
      const gateway = running.get('gateway');
      if (gateway) await stopOne(gateway);
      await Promise.all([...running.values()].map(stopOne));
    },
    stopService: async (name) => {
      const service = running.get(name);
      if (service) await stopOne(service);
    },
    startService: async (name, extra) => {
      const definition = SERVICES.find((s) => s.name === name);
      if (definition) await launch(definition, extra);
    },
    service: (name) => running.get(name),
  };
}

async function waitReady(service: RunningService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) break;
    try {
      const res = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  const why = service.child.exitCode !== null ? `exited with code ${service.child.exitCode}` : `not ready after ${timeoutMs} ms`;
  throw new Error(
    `${service.definition.name} ${why}; log ${service.logFile}:\n${tailLines(service.logFile, 30)}`,
  );
}
