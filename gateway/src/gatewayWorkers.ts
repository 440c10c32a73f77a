import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import {
  aggregateMetrics,
  createLogger,
  createRegistry,
  listen,
  Registry,
  requestIdOf,
  type Logger,
  type MetricsJson,
} from '@delivery/runtime-kit';
import { adminApp } from './adminApp.ts';
import { closeServer, refuseConnect, type RunningGateway } from './gateway.ts';
import { gatewayConfig, type GatewayConfig } from './gatewayConfig.ts';
import { routeReloadCounter } from './gatewayMetrics.ts';
import { BucketTable } from './rateLimiter.ts';
import { readRouteText, RouteReloads, type ReloadOptions } from './routeReloads.ts';
import type { RouteSet } from './routeSet.ts';
import { watchRouteFile, type RouteWatch } from './routeWatch.ts';

/**
 * The gateway as several worker threads (`GATEWAY_WORKERS` > 1,
 * docs/decisions/gateway-workers.md). Every worker runs the whole gateway (gatewayWorker.ts)
 * and listens on the public port with SO_REUSEPORT, so the kernel spreads connections over
 * them; all of them draw from one rate-limit table in a SharedArrayBuffer. The main thread
 * serves the admin port (`/metrics` aggregated over the workers), reads the route file on
 * SIGHUP or when it changes and hands the same text to every worker, and stops them.
 */

/** What a worker thread is started with (`workerData`). */
export interface WorkerSetup {
  /** 1…N: the `worker` label and log field. */
  id: string;
  config: GatewayConfig;
  /** The rate-limit table (`BucketTable.buffer`). */
  table: SharedArrayBuffer;
  /** The route file's text, read once by the main thread. */
  routesText: string;
}

/** Main thread → worker: requests, answered by a `reply` with the same `seq`. */
export type ToWorker = { seq: number } & (
  | { type: 'reload'; text: string }
  | { type: 'metrics' }
  | { type: 'routes' }
  | { type: 'close' }
);

export type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'reply'; seq: number; value?: unknown; error?: string };

type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;
type Request = WithoutSeq<ToWorker>;

const WORKER_ENTRY = new URL('./gatewayWorker.ts', import.meta.url);
/** A worker that takes longer than this to hand over its metrics fails the scrape (a partial sum would look like a counter reset). */
const SCRAPE_TIMEOUT_MS = 5000;
const RELOAD_TIMEOUT_MS = 10_000;

export interface GatewayWorkersDeps {
  logger?: Logger;
  /** The main thread's registry: process metrics and reload counts (default: a new one). */
  registry?: Registry;
  /**
   * A worker thread died (an uncaught error): the gateway serves on with one worker fewer
   * until this decides otherwise (main.ts stops the process: the orchestrator restarts it).
   */
  onWorkerLost?: (error: Error) => void;
}

/** One worker thread seen from the main thread: its start, and requests to it. */
class WorkerThread {
  readonly id: string;
  /** The port it listens on, once it does; rejects if it fails to start. */
  readonly listening: Promise<number>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private seq = 0;
  private exited = false;

  constructor(setup: WorkerSetup, lost: (thread: WorkerThread, error: Error) => void) {
    this.id = setup.id;
    this.worker = new Worker(WORKER_ENTRY, { workerData: setup, name: `gateway-worker-${setup.id}` });
    let started = false;
    this.listening = new Promise<number>((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'listening') {
          started = true;
          resolve(message.port);
          return;
        }
        const request = this.pending.get(message.seq);
        this.pending.delete(message.seq);
        if (message.error !== undefined) request?.reject(new Error(message.error));
        else request?.resolve(message.value);
      });
      this.worker.on('error', (thrown: unknown) => {
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        if (started) lost(this, error);
        else reject(error);
      });
      this.worker.on('exit', (code) => {
        this.exited = true;
        const error = new Error(`gateway worker ${this.id} exited with code ${code}`);
        for (const request of this.pending.values()) request.reject(error);
        this.pending.clear();
        if (started) lost(this, error);
        else reject(error);
      });
    });
  }

  call<T = unknown>(request: Request, timeoutMs: number): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`gateway worker ${this.id} is gone`));
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`gateway worker ${this.id} did not answer ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.postMessage({ ...request, seq });
    });
  }

  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }
}

/**
 * `/metrics` of the main thread: every worker's registry and its own, combined per metric
 * by the aggregator the metric declares (counters and histograms summed, breaker state
 * `max`, the shared table's counters `max`).
 */
class WorkersRegistry extends Registry {
  private readonly own: Registry;
  private readonly threads: readonly WorkerThread[];

  constructor(own: Registry, threads: readonly WorkerThread[]) {
    super();
    this.own = own;
    this.threads = threads;
  }

  override async metrics(): Promise<string> {
    const [own, ...workers] = await Promise.all([
      this.own.getMetricsAsJSON(),
      ...this.threads.map((thread) => thread.call<MetricsJson>({ type: 'metrics' }, SCRAPE_TIMEOUT_MS)),
    ]);
    // The main thread alone reports process metrics: prom-client's cluster setting `omit`
    // (process start time, meant for processes that each have one) must not drop them here.
    const ownMetrics = own.map((metric) => (metric.aggregator === 'omit' ? { ...metric, aggregator: 'first' as const } : metric));
    return aggregateMetrics([...workers, ownMetrics]).metrics();
  }
}

const STATE_RANK: Readonly<Record<string, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** The workers' views of the routes as one: the first's, each breaker in its worst state across workers. */
function mergeRoutes(views: readonly object[][]): object[] {
  const [first = [], ...others] = views as { breaker?: { state?: string } }[][];
  return first.map((route, index) => {
    let state = route.breaker?.state;
    for (const view of others) {
      const other = view[index]?.breaker?.state;
      if (other !== undefined && (STATE_RANK[other] ?? 0) > (STATE_RANK[state ?? ''] ?? 0)) state = other;
    }
    return route.breaker === undefined ? route : { ...route, breaker: { ...route.breaker, state } };
  });
}

/**
 * Starts `config.workers` worker threads (at least 2 make sense; main.ts starts a single
 * gateway for 1) and the admin port. With port 0 the first worker picks the port and the
 * others join it.
 */
export async function startGatewayWorkers(config: Partial<GatewayConfig> = {}, deps: GatewayWorkersDeps = {}): Promise<RunningGateway> {
  const settings: GatewayConfig = { ...gatewayConfig({}), ...config };
  const logger = deps.logger ?? createLogger('gateway', settings.logLevel, { async: true, sharedStdout: true });
  const registry = deps.registry ?? createRegistry('gateway');
  const file = settings.routesFile;
  const table = BucketTable.create();
  const routesText = await readRouteText(file);
  // Workers neither watch nor reload: the main thread does, for all of them.
  const workerConfig: GatewayConfig = { ...settings, watchRoutes: false };

  const threads: WorkerThread[] = [];
  let stopping = false;
  const lost = (thread: WorkerThread, error: Error) => {
    const index = threads.indexOf(thread);
    if (stopping || index < 0) return; // ('error' comes before 'exit': once is enough)
    threads.splice(index, 1);
    logger.fatal({ err: error, worker: thread.id, left: threads.length }, 'gateway worker stopped unexpectedly');
    deps.onWorkerLost?.(error);
  };
  const spawn = (id: number, port: number): Promise<number> => {
    const thread = new WorkerThread({ id: String(id), config: { ...workerConfig, port }, table: table.buffer, routesText }, lost);
    threads.push(thread);
    return thread.listening;
  };
  let port: number;
  try {
    if (settings.port === 0) {
      // SO_REUSEPORT shares a port, not "any free port": the first worker picks it, the others join.
      port = await spawn(1, 0);
      await Promise.all(Array.from({ length: settings.workers - 1 }, (_, i) => spawn(i + 2, port)));
    } else {
      port = settings.port;
      await Promise.all(Array.from({ length: settings.workers }, (_, i) => spawn(i + 1, port)));
    }
  } catch (error) {
    stopping = true;
    await Promise.all(threads.map((thread) => thread.terminate()));
    throw error;
  }

  const everyWorker = <T>(request: Request, timeoutMs: number) =>
    Promise.all(threads.map((thread) => thread.call<T>(request, timeoutMs)));
  let routes = mergeRoutes(await everyWorker<object[]>({ type: 'routes' }, RELOAD_TIMEOUT_MS));
  logger.info({ file, routes, workers: threads.length, port }, 'routes loaded');

  // `/routes` answers from this view, refreshed from the workers before each request for it.
  const routeView = { describe: () => routes };
  const admin = adminApp({
    registry: new WorkersRegistry(registry, threads),
    logger,
    // The admin app only describes the routes (and sees that there are some); the table lives in the workers.
    routes: () => routeView as unknown as RouteSet,
    admin: settings.admin,
  });
  const adminService = await listen(
    ((req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id']));
      const serve = () => {
        admin.app(req as Parameters<typeof admin.app>[0], res);
      };
      if (settings.admin && req.method === 'GET' && (req.url ?? '').split('?')[0] === '/routes')
        everyWorker<object[]>({ type: 'routes' }, SCRAPE_TIMEOUT_MS).then((views) => (routes = mergeRoutes(views))).then(serve, serve);
      else serve();
    }) as Parameters<typeof listen>[0],
    settings.adminPort,
    settings.adminHost,
  );
  adminService.server.on('connect', (_req: unknown, socket: Duplex) => refuseConnect(socket));
  logger.info({ host: adminService.host, port: adminService.port }, 'gateway admin listening');

  const reloads = new RouteReloads({
    file,
    text: routesText,
    counter: routeReloadCounter(registry),
    logger,
    apply: async (text) => {
      const results = await Promise.allSettled(threads.map((thread) => thread.call<{ routes: object[] }>({ type: 'reload', text }, RELOAD_TIMEOUT_MS)));
      const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
      const applied = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.routes] : []));
      // Every worker parses the same text with the same code: they agree, unless one is broken.
      if (refused.length > 0 && applied.length > 0)
        logger.error({ applied: applied.length, refused: refused.length }, 'workers disagree on the new routes; some applied them');
      if (refused[0] !== undefined) throw refused[0];
      routes = mergeRoutes(applied);
      return routes;
    },
  });
  const reload = (options?: ReloadOptions) => reloads.reload(options);
  let watch: RouteWatch | undefined;
  if (settings.watchRoutes) watch = watchRouteFile(file, () => void reload({ ifChanged: true }).catch(() => undefined), logger);

  return {
    port,
    adminPort: adminService.port,
    reload,
    describeRoutes: () => routes,
    close: async () => {
      stopping = true;
      watch?.close();
      admin.drain();
      const closing = await Promise.allSettled(threads.map((thread) => thread.call({ type: 'close' }, settings.shutdownGraceMs + 2000)));
      for (const result of closing) if (result.status === 'rejected') logger.error({ err: result.reason }, 'gateway worker did not stop cleanly');
      await Promise.all(threads.map((thread) => thread.terminate()));
      logger.info({ workers: threads.length }, 'gateway workers stopped');
      await closeServer(adminService, 1000);
      logger.flush();
    },
  };
}
