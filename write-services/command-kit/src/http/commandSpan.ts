import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { ATTR_REQUEST_ID, contextOf, requestIdFrom, TRACEPARENT_HEADER, traceparentOf, validTraceparent } from '@delivery/runtime-kit';
import type { Request, Response } from 'express';

/**
 * The command's server span (docs/observability.md, "Traces"), continuing the caller's
 * `traceparent` (the gateway's span), from the route's handler until the answer is out
 * (whatever writes it: the handler or the error handler). Returns the traceparent the
 * command's outbox rows carry on: the span's, or with tracing off (`tracer` undefined) the
 * caller's as it came, so a trace goes on through a service that does not record it.
 */
export function startCommandSpan(tracer: Tracer | undefined, command: { name: string; path: string }, req: Request, res: Response): string | undefined {
  const incoming = req.headers[TRACEPARENT_HEADER];
  if (tracer === undefined) return validTraceparent(incoming);
  const span = tracer.startSpan(
    command.name,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': req.method,
        'http.route': command.path,
        'url.path': req.path,
        'command.type': command.name,
        [ATTR_REQUEST_ID]: requestIdFrom(res),
      },
    },
    contextOf(incoming),
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return traceparentOf(span);
}
