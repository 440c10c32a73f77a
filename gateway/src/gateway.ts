import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createLogger, createRegistry, listen, Problem, problemClientError, rawProblemResponse, requestIdOf, tracing, type Logger, type Registry, type Tracing } from '@delivery/runtime-kit';
import { adminApp } from './adminApp.ts';
import { ApiDocument } from './apiDocument.ts';
import { answer } from './answer.ts';
import { bodyLimit } from './bodyLimit.ts';
import { DeadlineWheel } from './deadlineWheel.ts';
import { Exchange, GatewayRequest, type GatewayResponse } from './exchange.ts';
import { startExchangeSpan } from './exchangeSpan.ts';
import { Forwarder } from './forwarder.ts';
import { gatewayConfig, type GatewayConfig } from './gatewayConfig.ts';
import { GatewayMetrics } from './gatewayMetrics.ts';
import { normalisePath } from './normalisePath.ts';
import { RateLimiter, retryAfterSeconds, type BucketTable, type Clock } from './rateLimiter.ts';
import { parseRouteFile } from './routeFile.ts';
import { readRouteText, RouteReloads, type ReloadOptions } from './routeReloads.ts';
import { watchRouteFile, type RouteWatch } from './routeWatch.ts';
import { buildRouteSet, type RouteSet } from './routeSet.ts';
import { problemFor } from './upstreamError.ts';

export interface RunningGateway {
  port: number;
  /**
   * The admin port: `/metrics`, `/health/*` and, when enabled, `/routes` (loopback unless
   * configured). 0 in a worker thread: the main thread serves it.
   */
  adminPort: number;
  /** Stops accepting, waits for requests in flight (up to the grace period), releases pools. */
  close(): Promise<void>;
  /**
   * Re-reads the route file; a bad file keeps the current routes and rejects with the reason.
   * Resolves true once applied; false when `ifChanged` found the content unchanged.
   */
  reload(options?: ReloadOptions): Promise<boolean>;
  /** The active routes with their settings and breaker states (`GET /routes`). */
  describeRoutes(): object[];
}

/** A gateway as one worker thread of several runs it (see `GatewayDeps.worker`). */
export interface RunningGatewayWorker extends RunningGateway {
  /**
   * Swaps in the routes of a route file's text that the main thread read, and returns
   * their description; throws, keeping the current routes, when the text is invalid.
   * Neither counted nor logged: the main thread does that, once for all its workers.
   */
  applyRoutes(text: string): object[];
}

export interface GatewayDeps {
  logger?: Logger;
  registry?: Registry;
  /**
   * The rate-limit buckets. Worker threads of one gateway pass the same table
   * (`BucketTable.attach(buffer)`) so that the limits hold for the gateway as a whole;
   * by default the gateway creates its own.
   */
  rateLimitTable?: BucketTable;
  /** The limiter's monotonic clock in ms (tests). */
  clock?: Clock;
  /** The route file's content, already read (a worker thread gets the main thread's); default: read the file. */
  routesText?: string;
  /**
   * Runs the gateway as one worker thread of several (`GATEWAY_WORKERS` > 1, gatewayWorkers.ts):
   * it listens with SO_REUSEPORT next to its siblings, serves no admin port, neither watches
   * nor reloads the route file itself (the main thread hands it new routes through
   * `applyRoutes`) and counts its requests in `gateway_worker_requests_total{worker=id}`.
   */
  worker?: { id: string };
  /** Spans of the exchanges (default: the process's, `startTracing` in the composition root). */
  tracing?: Tracing;
}

/**
 * Starts the command gateway. `config` falls back to the environment-free defaults for
 * whatever it leaves out (`gatewayConfig({})`); port 0 picks a free port.
 */
export function startGateway(config: Partial<GatewayConfig>, deps: GatewayDeps & { worker: { id: string } }): Promise<RunningGatewayWorker>;
export function startGateway(config?: Partial<GatewayConfig>, deps?: GatewayDeps): Promise<RunningGateway>;
export async function startGateway(config: Partial<GatewayConfig> = {}, deps: GatewayDeps = {}): Promise<RunningGatewayWorker> {
  const settings: GatewayConfig = { ...gatewayConfig({}), ...config };
  const logger = deps.logger ?? createLogger('gateway', settings.logLevel, { async: true });
  const registry = deps.registry ?? createRegistry('gateway');
  const metrics = new GatewayMetrics(registry, logger);
  const limiter = new RateLimiter(deps.rateLimitTable, deps.clock);
  metrics.observeRateLimits(limiter.table);
  const breakerDeps = { registry, logger };
  const worker = deps.worker;
  let served = 0;
  if (worker !== undefined) metrics.observeWorkerRequests(worker.id, () => served);

  const file = settings.routesFile;
  const routesText = deps.routesText ?? (await readRouteText(file));
  let current: RouteSet = buildRouteSet(file, parseRouteFile(routesText, file, settings.upstreamUrls), undefined, breakerDeps);
  if (worker === undefined) logger.info({ file, routes: current.describe() }, 'routes loaded');
  /** Swaps in the routes of `text`; the old set finishes its requests, then lets go of what it alone used. */
  const applyRoutes = (text: string): object[] => {
    const next = buildRouteSet(file, parseRouteFile(text, file, settings.upstreamUrls), current, breakerDeps);
    const previous = current;
    current = next;
    previous.retire(next);
    return next.describe();
  };

  const admin = adminApp({ registry, logger, routes: () => current, admin: settings.admin, apiDocument: new ApiDocument(() => current) });
  const wheel = new DeadlineWheel();
  const forwarder = new Forwarder({ wheel, metrics, logger });
  const traces = deps.tracing ?? tracing();
  // One check per request when tracing is off (exchangeSpan.ts).
  const tracer = traces.enabled ? traces.tracer : undefined;

  // The public port serves commands and health only; /metrics and /routes are on the admin port.
  const handle = (req: GatewayRequest, res: GatewayResponse): void => {
    served++;
    const target = normalisePath(req.url ?? '/');
    if (target !== undefined && PUBLIC_OWN_PATHS.has(target.path)) {
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id']));
      req.url = target.path + target.search;
      admin.app(req, res);
      return;
    }
    const exchange = new Exchange(req, res, current, metrics);
    if (tracer !== undefined) startExchangeSpan(tracer, exchange);
    if (target === undefined) {
      answer.problem(exchange, new Problem('MALFORMED_REQUEST', 'The request path is not acceptable.'));
      return;
    }
    const route = exchange.routes.table.match(target.path);
    if (route === undefined) {
      answer.problem(exchange, new Problem('ROUTE_NOT_FOUND', `No route for ${target.path}.`));
      return;
    }
    exchange.route = route;
    if (!route.methods.has(req.method ?? '')) {
      answer.problem(
        exchange,
        new Problem('METHOD_NOT_ALLOWED', `${req.method ?? ''} is not routed; commands use ${route.allow}.`, {
          headers: { allow: route.allow },
        }),
      );
      return;
    }
    const coding = req.headers['transfer-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') {
      // Forwarding it would drop the coding (the body is re-framed): refused, and the connection closed.
      answer.problem(
        exchange,
        new Problem('MALFORMED_REQUEST', `Transfer-Encoding ${coding} is not supported; only chunked is.`, { headers: { connection: 'close' } }),
      );
      return;
    }
    const limit = route.rateLimit;
    if (limit !== undefined) {
      // Before anything else of the route (body limit, breaker, upstream): a refusal costs one bucket lookup.
      const balance = limiter.take(limit, req.socket.remoteAddress, req.headers['x-forwarded-for']);
      exchange.rateLimit = limit;
      exchange.rateBalance = balance;
      if (balance < 0) {
        exchange.failure = 'rate_limited';
        metrics.rateLimited(exchange);
        answer.problem(exchange, problemFor('rate_limited', `route ${route.name}`, retryAfterSeconds(limit, balance)));
        return;
      }
    }
    forwarder.forward(exchange, route, target.path + target.search);
  };

  const service = await listen(handle as Parameters<typeof listen>[0], settings.port, settings.host, {
    IncomingMessage: GatewayRequest,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutMs || 1000),
  }, { reusePort: worker !== undefined });
  service.server.removeAllListeners('clientError');
  service.server.on('clientError', problemClientError(logger));
  // `Expect: 100-continue`: the route's checks come first; `100 Continue` only once the body is wanted (forwarder.ts).
  service.server.on('checkContinue', (req: GatewayRequest, res: GatewayResponse) => {
    const target = normalisePath(req.url ?? '/');
    const route = target === undefined ? undefined : current.table.match(target.path);
    if (route !== undefined && bodyLimit.declaredOver(req.headers, route)) {
      served++;
      const exchange = new Exchange(req, res, current, metrics);
      if (tracer !== undefined) startExchangeSpan(tracer, exchange);
      exchange.route = route;
      exchange.failure = 'body_too_large';
      answer.problem(exchange, problemFor('body_too_large', route.pool.name, 0));
      return;
    }
    handle(req, res);
  });
  service.server.on('connect', (_req: GatewayRequest, socket: Duplex) => refuseConnect(socket));
  logger.info({ host: service.host, port: service.port }, 'gateway listening');

  const adminService = worker !== undefined ? undefined : await listen(
    ((req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id']));
      admin.app(req as Parameters<typeof admin.app>[0], res);
    }) as Parameters<typeof listen>[0],
    settings.adminPort,
    settings.adminHost,
  );
  if (adminService !== undefined) {
    adminService.server.on('connect', (_req: unknown, socket: Duplex) => refuseConnect(socket));
    logger.info({ host: adminService.host, port: adminService.port }, 'gateway admin listening');
  }

  const reloads = new RouteReloads({ file, text: routesText, apply: applyRoutes, counter: metrics.reloads, logger });
  const reload = (options?: ReloadOptions) => reloads.reload(options);
  let watch: RouteWatch | undefined;
  if (settings.watchRoutes && worker === undefined)
    watch = watchRouteFile(file, () => void reload({ ifChanged: true }).catch(() => undefined), logger); // refusals are logged

  return {
    port: service.port,
    adminPort: adminService?.port ?? 0,
    reload,
    applyRoutes,
    describeRoutes: () => current.describe(),
    close: async () => {
      watch?.close();
      admin.drain();
      await closeServer(service, settings.shutdownGraceMs);
      if (adminService !== undefined) await closeServer(adminService, 1000);
      current.retire(undefined);
      logger.flush();
    },
  };
}

/** Closes the server: idle keep-alive connections at once, busy ones once their response is out. */
export async function closeServer(service: Awaited<ReturnType<typeof listen>>, graceMs: number): Promise<void> {
  const sweep = setInterval(() => service.server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => service.server.closeAllConnections(), graceMs);
  try {
    await service.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}

/** The gateway's own paths on the public port; everything else is matched against the routes. */
const PUBLIC_OWN_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/openapi.json']);

/** CONNECT is no command: answered 405 (node would otherwise close the socket without a word). */
export function refuseConnect(socket: Duplex): void {
  const problem = new Problem('METHOD_NOT_ALLOWED', 'CONNECT is not supported; commands use POST, PUT, PATCH or DELETE.', {
    headers: { allow: 'POST, PUT, PATCH, DELETE' },
  });
  if (socket.writable) socket.end(rawProblemResponse(problem, requestIdOf(undefined), 'Allow: POST, PUT, PATCH, DELETE\r\n'));
  else socket.destroy();
}
