import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { UpstreamSpec } from './routeFile.ts';

/**
 * One instance of an upstream service: its undici `Pool` of keep-alive connections (no
 * pipelining: a command is never queued behind another on one connection) and its outlier
 * state.
 */
export interface UpstreamInstance {
  readonly origin: string;
  readonly pool: Pool;
  /** Failures in a row (connect failures, resets, timeouts, 5xx); a success clears them. */
  failures: number;
  /** performance.now() until which the instance is ejected (skipped by the balancing); 0: in. */
  ejectedUntil: number;
  /** Times ejected in a row: each ejection lasts longer (up to 10 × the base). */
  ejections: number;
}

/**
 * One upstream service: its instances, taken round-robin; a retry moves on to the next
 * one, so a refused connection to one instance is retried on another. Outlier ejection: an
 * instance that fails `consecutiveFailures` times in a row is skipped for `ejectionMs`
 * (longer each time it is ejected again), before the route's breaker — which counts the
 * route as a whole — has seen enough to open; never all of them: with every instance out,
 * the balancing uses them anyway.
 */
export class UpstreamPool {
  readonly name: string;
  readonly instances: readonly UpstreamInstance[];
  readonly key: string;
  private readonly consecutiveFailures: number;
  private readonly ejectionMs: number;
  private next = 0;

  constructor(spec: UpstreamSpec) {
    this.name = spec.name;
    this.key = poolKey(spec);
    this.consecutiveFailures = spec.outlierEjection.consecutiveFailures;
    this.ejectionMs = spec.outlierEjection.ejectionMs;
    this.instances = spec.urls.map((origin) => ({
      origin,
      pool: new Pool(origin, {
        connections: spec.maxSockets,
        pipelining: 1,
        // Idle pooled connections close before the upstream's own keep-alive timeout (node: 5 s),
        // so a request is never written to a connection the upstream is closing.
        keepAliveTimeout: spec.idleTimeoutMs,
        keepAliveMaxTimeout: spec.idleTimeoutMs,
        // Connect deadlines are the gateway's own (the timer wheel); this one only bounds a connect nobody waits for.
        connectTimeout: 30_000,
        headersTimeout: 0,
        bodyTimeout: 0,
      }),
      failures: 0,
      ejectedUntil: 0,
      ejections: 0,
    }));
  }

  /** The instance index for a request's first attempt. */
  start(): number {
    const start = this.next;
    this.next = start + 1 === this.instances.length ? 0 : start + 1;
    return start;
  }

  /** The instance for attempt `attempt` of a request that started at `start`: ejected instances are skipped. */
  instance(start: number, attempt: number): UpstreamInstance {
    const count = this.instances.length;
    const first = (start + attempt) % count;
    if (count === 1) return this.instances[0] as UpstreamInstance;
    const now = performance.now();
    for (let i = 0; i < count; i++) {
      const candidate = this.instances[(first + i) % count] as UpstreamInstance;
      if (candidate.ejectedUntil <= now) return candidate;
    }
    return this.instances[first] as UpstreamInstance; // all ejected: keep trying them in turn
  }

  succeeded(instance: UpstreamInstance): void {
    if (instance.failures !== 0) instance.failures = 0;
    if (instance.ejections !== 0 && instance.ejectedUntil <= performance.now()) instance.ejections = 0;
  }

  /** Counts a failure of the instance itself; returns true when it has just been ejected. */
  failed(instance: UpstreamInstance): boolean {
    if (this.instances.length === 1 || ++instance.failures < this.consecutiveFailures) return false;
    instance.failures = 0;
    instance.ejections = Math.min(instance.ejections + 1, 10);
    instance.ejectedUntil = performance.now() + this.ejectionMs * instance.ejections;
    return true;
  }

  /** Instances currently ejected (metrics). */
  ejected(): number {
    const now = performance.now();
    let count = 0;
    for (const instance of this.instances) if (instance.ejectedUntil > now) count++;
    return count;
  }

  destroy(): void {
    for (const instance of this.instances) instance.pool.destroy().catch(() => undefined);
  }
}

/** Pools survive a reload when their upstream is unchanged (warm connections are kept). */
export function poolKey(spec: UpstreamSpec): string {
  return JSON.stringify([spec.name, spec.urls, spec.maxSockets, spec.idleTimeoutMs, spec.outlierEjection]);
}
