import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_REQUEST_ID, contextOf, TRACEPARENT_HEADER } from '@delivery/runtime-kit';
import type { Exchange } from './exchange.ts';

/**
 * The exchange's server span (docs/observability.md, "Traces"), only when tracing is on:
 * otherwise the hot path pays an `undefined` check where the span would start, be forwarded
 * and end, and nothing else (docs/decisions/tracing.md). It continues a valid client `traceparent` or starts a trace;
 * the forwarder sends the span's `traceparent` upstream; it ends when the client side of the
 * exchange is over. With tracing off a client's `traceparent` is forwarded as it came.
 */
export function startExchangeSpan(tracer: Tracer, exchange: Exchange): void {
  const req = exchange.req;
  exchange.span = tracer.startSpan(req.method ?? 'HTTP', { kind: SpanKind.SERVER }, contextOf(req.headers[TRACEPARENT_HEADER]));
}

/** Route, status and outcome, then the end (called once, from `Exchange.clientClosed`). */
export function endExchangeSpan(exchange: Exchange, span: Span): void {
  const { req, res, route } = exchange;
  const method = req.method ?? 'HTTP';
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const status = res.writableFinished ? res.statusCode : 0;
  if (route !== undefined) span.updateName(`${method} ${route.name}`);
  span.setAttributes({
    'http.request.method': method,
    'url.path': query < 0 ? url : url.slice(0, query),
    [ATTR_REQUEST_ID]: exchange.requestId,
    'gateway.attempts': exchange.attempts,
  });
  if (route !== undefined) span.setAttributes({ 'gateway.route': route.name, 'gateway.upstream': route.pool.name });
  if (exchange.target !== undefined) span.setAttribute('gateway.target', exchange.target);
  if (status !== 0) span.setAttribute('http.response.status_code', status);
  const failure = exchange.failure ?? (status === 0 ? 'client_closed' : undefined);
  if (failure !== undefined) span.setAttribute('error.type', failure);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
