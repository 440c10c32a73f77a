import { createLogger, createRegistry, listen, Problem, type Logger, type Registry } from '@delivery/runtime-kit';
import { adminApp } from './adminApp.ts';
import { clientErrorHandler } from './clientErrorHandler.ts';
import { gatewayConfig, type GatewayConfig } from './gatewayConfig.ts';
import { Exchange, GatewayRequest, type GatewayResponse } from './exchange.ts';
import { GatewayMetrics } from './gatewayMetrics.ts';
import { normalisePath } from './normalisePath.ts';
import { createUpstreamProxy, forward } from './upstreamProxy.ts';
import { RateLimiter, retryAfterSeconds, type BucketTable, type Clock } from './rateLimiter.ts';
import { loadRouteFile } from './routeFile.ts';
import { buildRouteSet, INTERNAL_PATHS, type RouteSet } from './routeSet.ts';
import { problemFor } from './upstreamError.ts';

export interface RunningGateway {
  port: number;
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
  const context = createUpstreamProxy(metrics, logger);
  const breakerDeps = { registry, logger };

  let current: RouteSet = buildRouteSet(
    settings.routesFile,
    await loadRouteFile(settings.routesFile, settings.upstreamUrls),
    undefined,
    breakerDeps,
  );
  logger.info({ file: settings.routesFile, routes: current.describe() }, 'routes loaded');

  const admin = adminApp({ registry, logger, routes: () => current, admin: settings.admin });
  const internal = new Set<string>(INTERNAL_PATHS.filter((path) => path !== '/routes' || settings.admin));

  const handle = (req: GatewayRequest, res: GatewayResponse): void => {
    const target = normalisePath(req.url ?? '/');
    if (target !== undefined && internal.has(target.path)) {
      req.url = target.path + target.search;
      admin.app(req, res);
      return;
    }
    const exchange = new Exchange(req, res, current, context);
    if (target === undefined) {
      exchange.respond(new Problem('MALFORMED_REQUEST', 'The request path is not acceptable.'));
      return;
    }
    const route = exchange.routes.table.match(target.path);
    if (route === undefined) {
      exchange.respond(new Problem('ROUTE_NOT_FOUND', `No route for ${target.path}.`));
      return;
    }
    if (!route.methods.has(req.method ?? '')) {
      exchange.route = route;
      exchange.respond(
        new Problem('METHOD_NOT_ALLOWED', `${req.method ?? ''} is not routed; commands use ${route.allow}.`, {
          headers: { allow: route.allow },
        }),
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
        exchange.route = route;
        exchange.failure = 'rate_limited';
        metrics.rateLimited(exchange);
        exchange.respond(problemFor('rate_limited', `route ${route.name}`, retryAfterSeconds(limit, balance)));
        return;
      }
    }
    exchange.forRoute(route, target.path + target.search);
    forward(exchange, metrics, logger).catch((error: unknown) => {
      logger.error({ err: error, requestId: exchange.requestId }, 'proxying failed unexpectedly');
      exchange.res.destroy();
    });
  };

  const service = await listen(handle as Parameters<typeof listen>[0], settings.port, settings.host, {
    IncomingMessage: GatewayRequest,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutMs || 1000),
  });
  service.server.on('clientError', clientErrorHandler(logger));
  logger.info({ host: service.host, port: service.port }, 'gateway listening');

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
    reload: () => (reloading = reloading.catch(() => undefined).then(reloadOnce)),
    close: async () => {
      admin.drain();
      await closeServer(service, settings.shutdownGraceMs);
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
