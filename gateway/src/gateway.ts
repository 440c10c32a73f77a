import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createLogger, createRegistry, listen, Problem, requestIdOf, type Logger, type Registry } from '@delivery/runtime-kit';
import { adminApp } from './adminApp.ts';
import { answer } from './answer.ts';
import { bodyLimit } from './bodyLimit.ts';
import { clientErrorHandler, rawProblemResponse } from './clientErrorHandler.ts';
import { DeadlineWheel } from './deadlineWheel.ts';
import { Exchange, GatewayRequest, type GatewayResponse } from './exchange.ts';
import { Forwarder } from './forwarder.ts';
import { gatewayConfig, type GatewayConfig } from './gatewayConfig.ts';
import { GatewayMetrics } from './gatewayMetrics.ts';
import { normalisePath } from './normalisePath.ts';
import { RateLimiter, retryAfterSeconds, type BucketTable, type Clock } from './rateLimiter.ts';
import { loadRouteFile } from './routeFile.ts';
import { buildRouteSet, type RouteSet } from './routeSet.ts';
import { problemFor } from './upstreamError.ts';

export interface RunningGateway {
  port: number;
  /** The admin port: `/metrics`, `/health/*` and, when enabled, `/routes` (loopback unless configured). */
  adminPort: number;
  /** Stops accepting, waits for requests in flight (up to the grace period), releases pools. */
  close(): Promise<void>;
  /** Re-reads the route file; a bad file keeps the current routes and rejects with the reason. */
  reload(): Promise<void>;
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
}

/**
 * Starts the command gateway. `config` falls back to the environment-free defaults for
 * whatever it leaves out (`gatewayConfig({})`); port 0 picks a free port.
 */
export async function startGateway(config: Partial<GatewayConfig> = {}, deps: GatewayDeps = {}): Promise<RunningGateway> {
  const settings: GatewayConfig = { ...gatewayConfig({}), ...config };
  const logger = deps.logger ?? createLogger('gateway', settings.logLevel, { async: true });
  const registry = deps.registry ?? createRegistry('gateway');
  const metrics = new GatewayMetrics(registry, logger);
  const limiter = new RateLimiter(deps.rateLimitTable, deps.clock);
  metrics.observeRateLimits(limiter.table);
  const breakerDeps = { registry, logger };

  let current: RouteSet = buildRouteSet(
    settings.routesFile,
    await loadRouteFile(settings.routesFile, settings.upstreamUrls),
    undefined,
    breakerDeps,
  );
  logger.info({ file: settings.routesFile, routes: current.describe() }, 'routes loaded');

  const admin = adminApp({ registry, logger, routes: () => current, admin: settings.admin });
  const wheel = new DeadlineWheel();
  const forwarder = new Forwarder({ wheel, metrics, logger });

  // The public port serves commands and health only; /metrics and /routes are on the admin port.
  const handle = (req: GatewayRequest, res: GatewayResponse): void => {
    const target = normalisePath(req.url ?? '/');
    if (target !== undefined && PUBLIC_OWN_PATHS.has(target.path)) {
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id']));
      req.url = target.path + target.search;
      admin.app(req, res);
      return;
    }
    const exchange = new Exchange(req, res, current, metrics);
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
  });
  service.server.removeAllListeners('clientError');
  service.server.on('clientError', clientErrorHandler(logger));
  // `Expect: 100-continue`: the route's checks come first; `100 Continue` only once the body is wanted (forwarder.ts).
  service.server.on('checkContinue', (req: GatewayRequest, res: GatewayResponse) => {
    const target = normalisePath(req.url ?? '/');
    const route = target === undefined ? undefined : current.table.match(target.path);
    if (route !== undefined && bodyLimit.declaredOver(req.headers, route)) {
      const exchange = new Exchange(req, res, current, metrics);
      exchange.route = route;
      exchange.failure = 'body_too_large';
      answer.problem(exchange, problemFor('body_too_large', route.pool.name, 0));
      return;
    }
    handle(req, res);
  });
  service.server.on('connect', (_req: GatewayRequest, socket: Duplex) => refuseConnect(socket));
  logger.info({ host: service.host, port: service.port }, 'gateway listening');

  const adminService = await listen(
    ((req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('X-Request-Id', requestIdOf(req.headers['x-request-id']));
      admin.app(req as Parameters<typeof admin.app>[0], res);
    }) as Parameters<typeof listen>[0],
    settings.adminPort,
    settings.adminHost,
  );
  adminService.server.on('connect', (_req: unknown, socket: Duplex) => refuseConnect(socket));
  logger.info({ host: adminService.host, port: adminService.port }, 'gateway admin listening');

  let reloading: Promise<void> = Promise.resolve();
  const reloadOnce = async (): Promise<void> => {
    try {
      const next = buildRouteSet(
        settings.routesFile,
        await loadRouteFile(settings.routesFile, settings.upstreamUrls),
        current,
        breakerDeps,
      );
      const previous = current;
      current = next;
      previous.retire(next);
      metrics.reloads.inc({ result: 'applied' });
      logger.info({ file: settings.routesFile, routes: next.describe() }, 'routes reloaded');
    } catch (error) {
      metrics.reloads.inc({ result: 'refused' });
      logger.error({ err: error, file: settings.routesFile }, 'route reload refused; keeping the current routes');
      throw error;
    }
  };

  return {
    port: service.port,
    adminPort: adminService.port,
    reload: () => (reloading = reloading.catch(() => undefined).then(reloadOnce)),
    close: async () => {
      admin.drain();
      await closeServer(service, settings.shutdownGraceMs);
      await closeServer(adminService, 1000);
      current.retire(undefined);
      logger.flush();
    },
  };
}

/** Closes the server: idle keep-alive connections at once, busy ones once their response is out. */
async function closeServer(service: Awaited<ReturnType<typeof listen>>, graceMs: number): Promise<void> {
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
const PUBLIC_OWN_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready']);

/** CONNECT is no command: answered 405 (node would otherwise close the socket without a word). */
function refuseConnect(socket: Duplex): void {
  const problem = new Problem('METHOD_NOT_ALLOWED', 'CONNECT is not supported; commands use POST, PUT, PATCH or DELETE.', {
    headers: { allow: 'POST, PUT, PATCH, DELETE' },
  });
  if (socket.writable) socket.end(rawProblemResponse(problem, requestIdOf(undefined), 'Allow: POST, PUT, PATCH, DELETE\r\n'));
  else socket.destroy();
}
