import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { statePath } from '../state.ts';
import type { Platform, RunningService } from './platform.ts';
import { SERVICES, type ServiceDefinition } from './services.ts';

/**
 * The control socket of a running platform: `npm run service -- kill order` (infra/src/cli/service.ts)
 * asks the process that runs the services (`npm start`, or a test's platform) to kill, stop or
 * start one of them. A Unix socket, readable and writable by its owner only (0600), so nothing
 * on the network can reach it. `PLATFORM_CONTROL_SOCKET` names it; `npm start` uses
 * `<state>/run/platform.sock`.
 */
type ServiceName = ServiceDefinition['name'];
export type ControlAction = 'kill' | 'stop' | 'start' | 'restart';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['kill', 'stop', 'start', 'restart'];

export interface ServiceStatus {
  name: ServiceName;
  running: boolean;
  pid?: number;
  url: string;
}

export interface ControlAnswer {
  ok: boolean;
  message: string;
  services: ServiceStatus[];
}

export interface ControlOptions {
  socketPath?: string;
  /** Told as each action is taken (before a kill or stop, after a start), e.g. so that `npm start` tells a crash from a kill and watches a restarted child. */
  onAction?: (action: ControlAction, service: RunningService) => void;
}

export interface ControlServer {
  socketPath: string;
  close(): Promise<void>;
}

/** Where the control socket of the platform is: `PLATFORM_CONTROL_SOCKET`, else `<state>/run/platform.sock`. */
export function controlSocketPath(): string {
  return process.env['PLATFORM_CONTROL_SOCKET'] ?? statePath('run', 'platform.sock');
}

const isRunning = (service: RunningService | undefined): service is RunningService =>
  service !== undefined && service.child.exitCode === null && service.child.signalCode === null;

function statusOf(platform: Platform): ServiceStatus[] {
  return SERVICES.map(({ name }) => {
    const service = platform.service(name);
    const url = service?.url ?? `http://127.0.0.1:${platform.ports[name]}`;
    return isRunning(service) && service.child.pid !== undefined ? { name, running: true, pid: service.child.pid, url } : { name, running: false, url };
  });
}

/** Serves the control socket for `platform` until `close()`; refuses to take over a socket another platform answers on. */
export async function servePlatformControl(platform: Platform, options: ControlOptions = {}): Promise<ControlServer> {
  const socketPath = options.socketPath ?? controlSocketPath();
  if (socketPath.length > 100) throw new Error(`control socket path too long for a Unix socket (${socketPath.length} > 100): ${socketPath}`);
  mkdirSync(dirname(socketPath), { recursive: true });
  if (existsSync(socketPath)) {
    if (await answers(socketPath)) throw new Error(`another platform already listens on ${socketPath}`);
    rmSync(socketPath, { force: true });
  }

  const act = async (action: ControlAction, name: ServiceName): Promise<string> => {
    const current = platform.service(name);
    switch (action) {
      case 'kill': {
        if (!isRunning(current)) return `${name} is not running`;
        options.onAction?.(action, current);
        const exited = once(current.child, 'exit');
        current.child.kill('SIGKILL');
        await exited;
        return `${name} killed (SIGKILL, pid ${current.child.pid})`;
      }
      case 'stop': {
        if (!isRunning(current)) return `${name} is not running`;
        options.onAction?.(action, current);
        await platform.stopService(name);
        return `${name} stopped (SIGTERM, pid ${current.child.pid})`;
      }
      case 'restart':
      case 'start': {
        if (isRunning(current)) {
          if (action === 'start') return `${name} is already running (pid ${current.child.pid})`;
          options.onAction?.('stop', current);
          await platform.stopService(name);
        }
        await platform.startService(name);
        const started = platform.service(name);
        if (!started) throw new Error(`${name} did not start`);
        options.onAction?.(action, started);
        return `${name} ready at ${started.url} (pid ${started.child.pid})`;
      }
    }
  };

  // One action at a time: a start racing a kill of the same service would leave two children.
  let queue: Promise<unknown> = Promise.resolve();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, answer: Omit<ControlAnswer, 'services'>) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ...answer, services: statusOf(platform) }));
    };
    const url = new URL(req.url ?? '/', 'http://platform');
    if (req.method === 'GET' && url.pathname === '/services') return reply(200, { ok: true, message: 'services' });
    const match = /^\/services\/([a-z-]+)\/([a-z]+)$/.exec(url.pathname);
    const name = match?.[1] as ServiceName | undefined;
    const action = match?.[2] as ControlAction | undefined;
    if (req.method !== 'POST' || !name || !action || !SERVICES.some((s) => s.name === name) || !CONTROL_ACTIONS.includes(action)) {
      return reply(404, { ok: false, message: `unknown: ${req.method} ${url.pathname}` });
    }
    const done = queue.then(() => act(action, name));
    queue = done.catch(() => undefined);
    try {
      reply(200, { ok: true, message: await done });
    } catch (error) {
      reply(500, { ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  const previousUmask = process.umask(0o177);
  try {
    server.listen(socketPath);
    await once(server, 'listening');
  } finally {
    process.umask(previousUmask);
  }
  return {
    socketPath,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socketPath, { force: true });
    },
  };
}

/** Whether something accepts connections on the socket. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Sends one action (or, without one, asks for the services' status) to the platform listening on the socket. */
export function controlPlatform(target?: { action: ControlAction; service: ServiceName }, socketPath = controlSocketPath()): Promise<ControlAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method: target ? 'POST' : 'GET', path: target ? `/services/${target.service}/${target.action}` : '/services' },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as ControlAnswer);
          } catch {
            reject(new Error(`the platform answered ${res.statusCode}: ${body}`));
          }
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
          ? new Error(`no running platform listens on ${socketPath} (start one with \`npm start\`, or set PLATFORM_CONTROL_SOCKET)`)
          : error,
      );
    });
    req.end();
  });
}
