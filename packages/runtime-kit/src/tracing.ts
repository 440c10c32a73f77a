import { diag, DiagLogLevel, ROOT_CONTEXT, trace, TraceFlags, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type * as Sdk from '@opentelemetry/sdk-trace';
import { createLogger, type Logger } from './logger.ts';

/**
 * Traces across the event path (docs/observability.md, "Traces"; docs/decisions/tracing.md):
 * one command is one trace, from the gateway through its write service, the outbox row, the
 * relay's publish and the Kafka message to the projection that stores its view. The W3C
 * `traceparent` travels in HTTP headers, in the outbox row (`trace_parent`) and in the Kafka
 * message headers. No context manager: each span gets its parent explicitly
 * (`contextOf(traceparent)`), so nothing runs per async operation.
 *
 * Export over OTLP/HTTP (JSON) when the standard environment names an endpoint
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`);
 * otherwise tracing is off: the SDK is not even loaded, `tracing().enabled` is false and
 * callers skip their spans with that one check.
 */
export interface Tracing {
  /** Spans are recorded and exported; false: callers create none. */
  readonly enabled: boolean;
  /** The process's tracer (a no-op one when disabled). */
  readonly tracer: Tracer;
  /** Exports the spans still queued, then stops (a shutdown step). */
  shutdown(): Promise<void>;
}

export const TRACEPARENT_HEADER = 'traceparent';

/** The attribute every span of the platform carries: the request id, the events' correlation id. */
export const ATTR_REQUEST_ID = 'request.id';

/** How long the final export may take on shutdown. */
const SHUTDOWN_EXPORT_MS = 2000;

const DISABLED: Tracing = Object.freeze({
  enabled: false,
  tracer: trace.getTracer('delivery-platform'),
  shutdown: () => Promise.resolve(),
});

let current: Tracing = DISABLED;

/** The process's tracing: what `startTracing` set up, or the disabled one. */
export function tracing(): Tracing {
  return current;
}

export interface TracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the exporter's warnings go (default: a logger of the service's name). */
  logger?: Logger;
}

/** Whether the environment asks for traces: an OTLP endpoint, and neither the SDK nor the exporter switched off. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true' && env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() !== 'none';
}

/**
 * Sets up the process's tracing once, in a composition root, before the components that
 * trace are built (they take `tracing()` when they are constructed). Reads the standard
 * environment: the OTLP endpoint, `OTEL_TRACES_SAMPLER`/`_ARG` (default parent-based
 * always-on) and the batch processor's `OTEL_BSP_SCHEDULE_DELAY`, `_EXPORT_TIMEOUT`,
 * `_MAX_QUEUE_SIZE`, `_MAX_EXPORT_BATCH_SIZE`; the exporter reads the `OTEL_EXPORTER_OTLP_*`
 * headers, timeout and compression from the process's environment itself. Not configured:
 * returns the disabled tracing and loads nothing.
 */
export async function startTracing(serviceName: string, options: TracingOptions = {}): Promise<Tracing> {
  const env = options.env ?? process.env;
  if (!tracingConfigured(env)) return current;
  if (current.enabled) return current;
  const [sdk, { OTLPTraceExporter }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const logger = options.logger ?? createLogger(serviceName);
  diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
      warn: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const endpoint = tracesEndpoint(env);
  const exporter = new OTLPTraceExporter({ url: endpoint });
  const number = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] !== undefined && env[name] !== '' && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    sampler: samplerFrom(sdk, env),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: number('OTEL_BSP_SCHEDULE_DELAY', 5000),
        exportTimeoutMillis: number('OTEL_BSP_EXPORT_TIMEOUT', 30_000),
        maxQueueSize: number('OTEL_BSP_MAX_QUEUE_SIZE', 2048),
        maxExportBatchSize: number('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512),
      }),
    ],
  });
  logger.info({ endpoint }, 'tracing: exporting spans over OTLP/HTTP');
  current = Object.freeze({
    enabled: true,
    tracer: provider.getTracer('delivery-platform'),
    // Bounded: a collector that is down must not hold a graceful stop past its grace period.
    shutdown: async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), SHUTDOWN_EXPORT_MS).unref();
      });
      const outcome = await Promise.race([provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'tracing: final export failed')), late]);
      clearTimeout(timer);
      if (outcome === 'late') logger.warn({ ms: SHUTDOWN_EXPORT_MS }, 'tracing: final export unfinished; spans dropped');
    },
  });
  return current;
}

/** Where spans go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces` (the specification's rule). */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (specific) return specific;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
  return `${base.endsWith('/') ? base : `${base}/`}v1/traces`;
}

/** `OTEL_TRACES_SAMPLER` (the specification's names) and `OTEL_TRACES_SAMPLER_ARG` (a ratio). */
function samplerFrom(sdk: typeof Sdk, env: NodeJS.ProcessEnv): Sdk.Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk;
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = () => new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG && Number.isFinite(arg) ? Math.min(1, Math.max(0, arg)) : 1);
  switch (env.OTEL_TRACES_SAMPLER?.trim().toLowerCase()) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * A W3C `traceparent` value if `value` is a valid one (trace-context §3.2: version `ff` and
 * all-zero ids refused, version 00 exactly 55 characters, a later version's extra fields
 * ignored), as version 00 (55 characters, the `trace_parent` column's size); otherwise
 * undefined. Several `traceparent` headers are invalid.
 */
export function validTraceparent(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : undefined;
  if (text === undefined || text.length < 55) return undefined;
  const match = TRACEPARENT.exec(text.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined) || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return version === '00' ? text.trim() : `00-${traceId}-${spanId}-${flags}`;
}

/** The context whose parent is the (remote) span a valid `traceparent` names; the root context otherwise. */
export function contextOf(traceparent: unknown): Context {
  const valid = validTraceparent(traceparent);
  if (valid === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: valid.slice(3, 35),
    spanId: valid.slice(36, 52),
    traceFlags: Number.parseInt(valid.slice(53, 55), 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** The `traceparent` naming `span` as the parent of what follows (sampled flag included). */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & TraceFlags.SAMPLED) === 0 ? '00' : '01'}`;
}
