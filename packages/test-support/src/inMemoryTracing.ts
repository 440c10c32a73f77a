import type { Tracing } from '@delivery/runtime-kit';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** A tracing whose spans stay in memory as they end (in-process tests pass it as a component's `tracing`). */
export interface InMemoryTracing extends Tracing {
  /** The spans ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  reset(): void;
}

/** Loads the SDK only when a test asks for it (the other suites importing this package never do). */
export async function inMemoryTracing(): Promise<InMemoryTracing> {
  const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return {
    enabled: true,
    tracer: provider.getTracer('test'),
    shutdown: () => provider.shutdown(),
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
  };
}
