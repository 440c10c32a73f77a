import type { Stream } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { jsonCharsetProblem, Problem, retry, type Logger } from '@delivery/runtime-kit';
import { readBody, type Exchange, type ExchangeContext, type GatewayRequest } from './exchange.ts';
import type { GatewayMetrics } from './gatewayMetrics.ts';
import type { ActiveRoute } from './routeSet.ts';
import { failureKind, problemFor, UpstreamStatusError } from './upstreamError.ts';
import type { UpstreamTarget } from './upstreamPool.ts';

/**
 * Streaming proxying through http-proxy-3 (docs/decisions/gateway-proxy.md). One proxy
 * server for all routes; every request brings its target, its upstream's keep-alive agent
 * and its exchange as body source. Responses are handled by the exchange (selfHandleResponse),
 * which passes them through unchanged minus hop-by-hop headers.
 */
export function createUpstreamProxy(metrics: GatewayMetrics, logger: Logger): ExchangeContext {
  const proxy = createProxyServer<typeof GatewayRequest>({
    selfHandleResponse: true,
    changeOrigin: true,
    // Forward req.url as it is (already normalised) instead of re-parsing it as a URL.
    toProxy: true,
    xfwd: false,
  });
  proxy.on('proxyReq', (proxyReq, req, _res, _options, socket) => req.exchange?.socketAssigned(proxyReq, socket));
  proxy.on('proxyRes', (proxyRes, req) => req.exchange?.upstreamResponded(proxyRes));
  // Errors normally reach the per-call callback; this listener keeps a stray one from crashing the process.
  proxy.on('error', (error, req) => {
    logger.warn({ err: error, requestId: req.exchange?.requestId }, 'proxy error outside a request');
    req.exchange?.upstreamFailed(error);
  });
  const onError = (error: Error, req: GatewayRequest) => req.exchange?.upstreamFailed(error);

  return {
    web(exchange: Exchange, target: UpstreamTarget) {
      const route = exchange.route as ActiveRoute;
      proxy.web(
        exchange.req,
        exchange.res,
        {
          target,
          agent: route.pool.agent,
          connectTimeout: route.spec.connectTimeoutMs,
          buffer: exchange as unknown as Stream,
        },
        onError,
      );
    },
    attemptFailed: (exchange, kind) => metrics.attemptFailed(exchange, kind),
    finished: (exchange) => metrics.finished(exchange),
  };
}

/**
 * A matched request, from limits to answer: body limit, a JSON body in another charset than
 * UTF-8 (415 here, a hop before the write service would refuse it too), open breaker, body buffering for
 * requests that may be retried, then attempts through the route's breaker with backoff for
 * the failures a retry cannot duplicate.
 */
export async function forward(exchange: Exchange, metrics: GatewayMetrics, logger: Logger): Promise<void> {
  const route = exchange.route as ActiveRoute;
  const { spec, breaker } = route;
  const declared = exchange.req.headers['content-length'];
  if (declared !== undefined && Number(declared) > spec.bodyLimit) {
    exchange.failure = 'body_too_large';
    exchange.respond(problemFor('body_too_large', route.pool.name, 0));
    return;
  }
  const notUtf8 = exchange.hasBody ? jsonCharsetProblem(exchange.req.headers['content-type']) : undefined;
  if (notUtf8 !== undefined) {
    exchange.respond(notUtf8);
    return;
  }
  if (breaker.state() === 'open') {
    reject(exchange, metrics);
    return;
  }
  if (exchange.needsBufferedBody() && !(await readBody(exchange))) return;
  try {
    const outcome = await retry(
      (attempt) => breaker.fire(exchange, attempt),
      spec.retry,
      (error) => {
        if (!exchange.mayRetry(error)) return false;
        metrics.retried(exchange, failureKind(error));
        return true;
      },
    );
    if (outcome === 'client_timeout') {
      exchange.respond(
        new Problem('REQUEST_TIMEOUT', `The body did not arrive within ${spec.responseTimeoutMs} ms.`, {
          headers: { connection: 'close' },
        }),
      );
    }
  } catch (error) {
    if (error instanceof UpstreamStatusError && error.delivered) return;
    const kind = failureKind(error);
    if (kind === 'breaker_open') {
      reject(exchange, metrics);
      return;
    }
    if (kind === 'internal') logger.error({ err: error, requestId: exchange.requestId }, 'proxying failed');
    exchange.failure ??= kind;
    exchange.respond(problemFor(kind, route.pool.name, 0));
  }
}

function reject(exchange: Exchange, metrics: GatewayMetrics): void {
  const route = exchange.route as ActiveRoute;
  exchange.failure = 'breaker_open';
  metrics.rejected(exchange);
  exchange.respond(problemFor('breaker_open', route.pool.name, route.breaker.retryAfterSeconds()));
}
