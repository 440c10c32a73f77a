import { createBreaker, isBreakerOpen, Problem, type Breaker, type BreakerSettings, type Logger, type Registry } from '@delivery/runtime-kit';
import type { z } from 'zod';

/** The three write services, by the name their owners are asked by. */
export type WriteServiceName = 'order' | 'dispatch' | 'delivery';

/** The other write services' base URLs (`ORDER_URL`, `DISPATCH_URL`, `DELIVERY_URL`). */
export type OwnerUrls = Readonly<Record<WriteServiceName, string>>;

/** A call to another service: a 4xx is its answer, anything else is its failure. */
class OwnerFailed extends Error {
  readonly status: number;
  constructor(service: string, status: number) {
    super(`${service} service answered ${status}`);
    this.name = 'OwnerFailed';
    this.status = status;
  }
}

export interface OwnerAnswer {
  status: number;
  body: unknown;
}

export const DEPENDENCY_HEADER = 'X-Dependency-Unavailable';

/**
 * How a write service asks another one what it owns (architecture.md, "Rules across
 * aggregates"): the owner's query API for a fact, or an internal command where the owner's
 * aggregate settles a race. One circuit breaker per owner with per-call deadlines; when the
 * owner cannot answer, the command is refused with 503 DEPENDENCY_UNAVAILABLE (Retry-After,
 * `X-Dependency-Unavailable: <service>`) rather than accepted unverified.
 */
export class OwnerClient {
  readonly #urls: OwnerUrls;
  readonly #breakers = new Map<WriteServiceName, Breaker<[string, RequestInit], OwnerAnswer>>();
  readonly #settings: BreakerSettings;
  readonly #deps: { registry: Registry; logger: Logger };

  constructor(deps: { urls: OwnerUrls; breaker: BreakerSettings; registry: Registry; logger: Logger }) {
    this.#urls = deps.urls;
    this.#settings = deps.breaker;
    this.#deps = { registry: deps.registry, logger: deps.logger };
  }

  /** The owner's snapshot of an aggregate (`GET /api/v1/<plural>/{id}`), or null when it does not know the id. */
  async snapshot<T>(service: WriteServiceName, plural: string, id: string, schema: z.ZodType<T>, requestId?: string): Promise<T | null> {
    const answer = await this.#call(service, `/api/v1/${plural}/${encodeURIComponent(id)}`, { method: 'GET', headers: headersOf(requestId) });
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw this.#unavailable(service, `its query API answered ${answer.status}`);
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) throw this.#unavailable(service, 'its query API answered off-contract');
    return parsed.data;
  }

  /**
   * An internal command on the owner (`POST <path>`): its 2xx answer, or its 409 (the owner's
   * aggregate refused: the caller names the rule). Anything else refuses the command as
   * DEPENDENCY_UNAVAILABLE: the rule could not be settled.
   */
  async command(service: WriteServiceName, path: string, body: unknown, requestId?: string): Promise<OwnerAnswer> {
    const answer = await this.#call(service, path, {
      method: 'POST',
      headers: { ...headersOf(requestId), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (answer.status >= 300 && answer.status !== 409) throw this.#unavailable(service, `it answered ${answer.status} to ${path}`);
    return answer;
  }

  shutdown(): void {
    for (const breaker of this.#breakers.values()) breaker.shutdown();
  }

  async #call(service: WriteServiceName, path: string, init: RequestInit): Promise<OwnerAnswer> {
    try {
      return await this.#breaker(service).fire(path, init);
    } catch (error) {
      if (error instanceof OwnerFailed && error.status < 500) throw error;
      throw this.#unavailable(service, isBreakerOpen(error) ? 'its circuit is open' : (error as Error).message);
    }
  }

  #breaker(service: WriteServiceName): Breaker<[string, RequestInit], OwnerAnswer> {
    let breaker = this.#breakers.get(service);
    if (!breaker) {
      const base = this.#urls[service].replace(/\/+$/, '');
      breaker = createBreaker(
        `${service}-service`,
        async (signal: AbortSignal, path: string, init: RequestInit): Promise<OwnerAnswer> => {
          const response = await fetch(`${base}${path}`, { ...init, signal });
          const text = await response.text();
          if (response.status >= 500) throw new OwnerFailed(service, response.status);
          return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
        },
        this.#settings,
        { ...this.#deps, isFailure: (error) => !(error instanceof OwnerFailed && error.status < 500) },
      );
      this.#breakers.set(service, breaker);
    }
    return breaker;
  }

  #unavailable(service: WriteServiceName, why: string): Problem {
    const breaker = this.#breakers.get(service);
    const retryAfter = breaker?.state() === 'open' ? breaker.retryAfterSeconds() : 2;
    return new Problem('DEPENDENCY_UNAVAILABLE', `The ${service} service could not confirm a rule this command depends on: ${why}.`, {
      headers: { 'Retry-After': String(Math.max(1, retryAfter)), [DEPENDENCY_HEADER]: service },
      extensions: { dependency: service },
    });
  }
}

const headersOf = (requestId: string | undefined): Record<string, string> => ({
  accept: 'application/json',
  ...(requestId ? { 'x-request-id': requestId } : {}),
});
