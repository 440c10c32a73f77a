import { createBreaker, type Breaker, type BreakerDeps } from '@delivery/runtime-kit';
import { rateLimitPolicy, type RateLimitPolicy } from './rateLimiter.ts';
import { RouteFileError, type RouteFile, type RouteSpec } from './routeFile.ts';
import { RouteTable } from './routeTable.ts';
import { countsAgainstBreaker } from './upstreamError.ts';
import { poolKey, UpstreamPool } from './upstreamPool.ts';

/** How one upstream attempt ended when it did not fail. */
export type Outcome = 'answered' | 'client_timeout' | 'client_gone';

/**
 * What a route's breaker calls: one upstream attempt, settled when the answer's head is in
 * (or the attempt failed). Its deadlines are the gateway's timer wheel, not the breaker's.
 */
export interface BreakerCall {
  run(): Promise<Outcome>;
}

const runCall = (_signal: AbortSignal, call: BreakerCall): Promise<Outcome> => call.run();

/** A route as the proxy uses it: its spec plus the runtime objects built from it. */
export interface ActiveRoute {
  readonly spec: RouteSpec;
  readonly name: string;
  readonly methods: ReadonlySet<string>;
  /** The `Allow` header of a 405. */
  readonly allow: string;
  readonly pool: UpstreamPool;
  readonly breaker: Breaker<[BreakerCall], Outcome>;
  readonly breakerKey: string;
  /** Token bucket per client address; undefined: not limited. */
  readonly rateLimit: RateLimitPolicy | undefined;
}

/** Paths the gateway serves itself; no route may shadow them. */
export const INTERNAL_PATHS = ['/health/live', '/health/ready', '/metrics', '/routes', '/openapi.json'] as const;

/**
 * One generation of routes: the table requests are matched against. A reload builds a new
 * set, reusing the pools and breakers whose settings did not change, and swaps it in; the
 * old set keeps serving the requests that started on it, and what only it used is disposed
 * of once they are done.
 */
export class RouteSet {
  readonly routes: readonly ActiveRoute[];
  readonly table: RouteTable<ActiveRoute>;
  readonly pools: ReadonlyMap<string, UpstreamPool>;
  inflight = 0;
  private retiring: (() => void) | undefined = undefined;

  constructor(routes: readonly ActiveRoute[], pools: ReadonlyMap<string, UpstreamPool>) {
    this.routes = routes;
    this.pools = pools;
    this.table = new RouteTable(routes.map((route) => ({ path: route.spec.path, value: route })));
  }

  /** Called by exchanges as they finish; disposes of a retired set's leftovers once idle. */
  maybeRetire(): void {
    if (this.inflight === 0 && this.retiring) {
      const dispose = this.retiring;
      this.retiring = undefined;
      dispose();
    }
  }

  /** Replaced by `next`: dispose of the pools and breakers `next` does not reuse, once idle. */
  retire(next: RouteSet | undefined): void {
    const keptPools = new Set(next?.pools.values());
    const keptBreakers = new Set(next?.routes.map((r) => r.breaker));
    this.retiring = () => {
      for (const pool of this.pools.values()) if (!keptPools.has(pool)) pool.destroy();
      for (const route of this.routes) if (!keptBreakers.has(route.breaker)) route.breaker.shutdown();
    };
    this.maybeRetire();
  }

  describe(): object[] {
    return this.routes.map(({ spec, breaker }) => ({
      name: spec.name,
      path: spec.path,
      methods: spec.methods,
      upstream: { name: spec.upstream.name, urls: spec.upstream.urls, source: spec.upstream.source },
      connectTimeoutMs: spec.connectTimeoutMs,
      responseTimeoutMs: spec.responseTimeoutMs,
      totalTimeoutMs: spec.totalTimeoutMs,
      bodyTimeoutMs: spec.bodyTimeoutMs,
      bodyLimit: spec.bodyLimit,
      retry: spec.retry,
      breaker: { ...spec.breaker, state: breaker.state() },
      rateLimit: spec.rateLimit,
    }));
  }
}

export function buildRouteSet(file: string, loaded: RouteFile, previous: RouteSet | undefined, deps: BreakerDeps): RouteSet {
  const specs = new RouteTable(loaded.routes.map((spec) => ({ path: spec.path, value: spec })));
  const shadowed = INTERNAL_PATHS.flatMap((path) => {
    const spec = specs.match(path);
    return spec ? [`route "${spec.name}" field path: ${spec.path} would hide the gateway's own ${path}`] : [];
  });
  if (shadowed.length > 0) throw new RouteFileError(file, shadowed);

  const pools = new Map<string, UpstreamPool>();
  for (const spec of loaded.upstreams) {
    const kept = previous?.pools.get(spec.name);
    pools.set(spec.name, kept?.key === poolKey(spec) ? kept : new UpstreamPool(spec));
  }
  const previousBreakers = new Map(previous?.routes.map((r) => [r.breakerKey, r.breaker]));
  const routes = loaded.routes.map((spec): ActiveRoute => {
    const breakerKey = JSON.stringify([spec.name, spec.breaker]);
    return {
      spec,
      name: spec.name,
      methods: new Set(spec.methods),
      allow: spec.methods.join(', '),
      pool: pools.get(spec.upstream.name) as UpstreamPool,
      breakerKey,
      rateLimit: spec.rateLimit === false ? undefined : rateLimitPolicy(spec.name, spec.rateLimit, loaded.clientAddress),
      breaker:
        previousBreakers.get(breakerKey) ??
        createBreaker<[BreakerCall], Outcome>(
          spec.name,
          runCall,
          // timeoutMs 0: no per-call timer; attempts keep their deadlines on the gateway's wheel.
          { ...spec.breaker, timeoutMs: 0 },
          { ...deps, isFailure: countsAgainstBreaker },
        ),
    };
  });
  return new RouteSet(routes, pools);
}
