import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { contextOf, startTracing, traceparentOf, tracesEndpoint, tracing, tracingConfigured, validTraceparent } from '../src/tracing.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('W3C traceparent', () => {
  it.each([
    ['a version-00 value', VALID, VALID],
    ['unsampled', `00-${TRACE_ID}-${SPAN_ID}-00`, `00-${TRACE_ID}-${SPAN_ID}-00`],
    ['surrounding blanks', ` ${VALID} `, VALID],
    ['a later version with more fields (read as 00)', `cc-${TRACE_ID}-${SPAN_ID}-01-what-comes-next`, VALID],
    ['a Kafka header (Buffer)', Buffer.from(VALID), VALID],
  ])('accepts %s', (_what, value, expected) => {
    expect(validTraceparent(value)).toBe(expected);
  });

  it.each([
    ['nothing', undefined],
    ['an empty string', ''],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with more fields', `${VALID}-extra`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['upper-case hex', VALID.toUpperCase()],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['several headers', [VALID, VALID]],
    ['a number', 42],
  ])('refuses %s', (_what, value) => {
    expect(validTraceparent(value)).toBeUndefined();
    expect(contextOf(value)).toBe(ROOT_CONTEXT);
  });

  it('makes a valid traceparent the remote parent of what follows', () => {
    const parent = trace.getSpanContext(contextOf(VALID));
    expect(parent).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  });

  it("writes a span's traceparent", () => {
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    expect(traceparentOf(span)).toBe(VALID);
    expect(traceparentOf(trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.NONE }))).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });
});

describe('tracing from the environment', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
  ])('%j: configured %s', (env, configured) => {
    expect(tracingConfigured(env)).toBe(configured);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://collector:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' }, 'http://collector:4318/base/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/traces' }, 'http://b:9999/traces'],
  ])('%j: spans go to %s', (env, url) => {
    expect(tracesEndpoint(env)).toBe(url);
  });

  it('is off without an endpoint: the disabled tracing, nothing loaded', async () => {
    const off = await startTracing('test-service', { env: {} });
    expect(off.enabled).toBe(false);
    expect(tracing()).toBe(off);
    await expect(off.shutdown()).resolves.toBeUndefined();
  });
});
