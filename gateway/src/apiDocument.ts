import { PROBLEM_JSON_SCHEMA, problemResponses, type ProblemCode } from '@delivery/runtime-kit';
import { request } from 'undici';
import type { RouteSet } from './routeSet.ts';
import { UPSTREAM_FAILURE_PROBLEMS } from './upstreamError.ts';

type Json = Record<string, unknown>;
type Operation = Json & { responses?: Record<string, { description?: string } & Json> };

/** What the gateway itself may answer on any command, beside its upstream failures. */
const GATEWAY_OWN_PROBLEMS: readonly ProblemCode[] = [
  'MALFORMED_REQUEST', // node:http's parser and the path check (gateway.ts, runtime-kit clientError.ts)
  'REQUEST_TIMEOUT', // a body that does not arrive in time (forwarder.ts, answer.ts)
  'UNSUPPORTED_MEDIA_TYPE', // a JSON body in another charset than UTF-8 (forwarder.ts)
  'HEADERS_TOO_LARGE', // node:http's header limit (runtime-kit clientError.ts)
];

const COMMAND_METHODS = ['post', 'put', 'patch', 'delete'] as const;

/**
 * The command API as clients see it through the gateway, at `GET /openapi.json` on the
 * public port: the write services' own documents (fetched on request, kept `ttlMs`, so a
 * new command appears with no gateway change or restart), each operation kept only where a
 * route sends its method and path to the service that documents it (their query GETs are
 * not the gateway's), with the answers the gateway adds (rate limit, breaker, deadlines,
 * bad gateway) listed beside the service's own. An upstream that cannot be read is named
 * in `x-unavailable-upstreams` and its commands are left out until it can.
 */
export class ApiDocument {
  readonly #routes: () => RouteSet | undefined;
  readonly #ttlMs: number;
  readonly #timeoutMs: number;
  #cached: { at: number; document: Json } | undefined;
  #building: Promise<Json> | undefined;

  constructor(routes: () => RouteSet | undefined, options: { ttlMs?: number; timeoutMs?: number } = {}) {
    this.#routes = routes;
    this.#ttlMs = options.ttlMs ?? 5000;
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  async document(): Promise<Json> {
    if (this.#cached && performance.now() - this.#cached.at < this.#ttlMs) return this.#cached.document;
    this.#building ??= this.#build().finally(() => (this.#building = undefined));
    return this.#building;
  }

  async #build(): Promise<Json> {
    const set = this.#routes();
    const origins = new Map<string, string>();
    for (const route of set?.routes ?? []) {
      const origin = route.spec.upstream.urls[0];
      if (origin !== undefined && !origins.has(route.spec.upstream.name)) origins.set(route.spec.upstream.name, origin);
    }
    const fetched = await Promise.all([...origins].map(async ([name, origin]) => ({ name, ...(await this.#fetch(origin)) })));
    const paths: Record<string, Record<string, Operation>> = {};
    const schemas: Json = {};
    for (const { name, document } of fetched) {
      if (document === undefined || set === undefined) continue;
      Object.assign(schemas, (document.components as { schemas?: Json } | undefined)?.schemas ?? {});
      for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
        for (const method of COMMAND_METHODS) {
          const operation = item[method];
          const route = operation === undefined ? undefined : set.table.match(path);
          if (operation === undefined || route === undefined || route.spec.upstream.name !== name || !route.methods.has(method.toUpperCase())) continue;
          const own = route.rateLimit === undefined ? UPSTREAM_FAILURE_PROBLEMS.filter((code) => code !== 'RATE_LIMITED') : UPSTREAM_FAILURE_PROBLEMS;
          (paths[path] ??= {})[method] = { ...operation, responses: withGatewayAnswers(operation.responses ?? {}, [...GATEWAY_OWN_PROBLEMS, ...own]) };
        }
      }
    }
    const unavailable = fetched.filter((f) => f.document === undefined).map((f) => ({ upstream: f.name, reason: f.error }));
    const document: Json = {
      openapi: '3.1.0',
      info: {
        title: 'Delivery platform: commands through the gateway',
        version: '1.0.0',
        description: "The write services' command APIs as the gateway routes them, with the answers the gateway adds.",
      },
      paths,
      components: { schemas: { ...schemas, Problem: PROBLEM_JSON_SCHEMA } },
      ...(unavailable.length > 0 ? { 'x-unavailable-upstreams': unavailable } : {}),
    };
    // A document missing an upstream is not kept: the next request tries again.
    if (unavailable.length === 0) this.#cached = { at: performance.now(), document };
    return document;
  }

  async #fetch(origin: string): Promise<{ document?: Json; error?: string }> {
    try {
      const answer = await request(`${origin}/openapi.json`, { headersTimeout: this.#timeoutMs, bodyTimeout: this.#timeoutMs });
      if (answer.statusCode !== 200) {
        await answer.body.dump();
        return { error: `answered ${answer.statusCode}` };
      }
      return { document: (await answer.body.json()) as Json };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** The service's answers, and the gateway's beside them (one entry per status, descriptions joined). */
function withGatewayAnswers(responses: NonNullable<Operation['responses']>, codes: readonly ProblemCode[]): NonNullable<Operation['responses']> {
  const merged = { ...responses };
  for (const [status, response] of Object.entries(problemResponses(codes))) {
    const existing = merged[status];
    merged[status] = existing === undefined ? response : { ...existing, description: `${existing.description ?? ''}; from the gateway: ${response.description}` };
  }
  return merged;
}
