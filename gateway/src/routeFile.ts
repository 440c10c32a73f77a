import { readFile } from 'node:fs/promises';
import type { BreakerSettings, RetryPolicy } from '@delivery/runtime-kit';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { CLIENT_ADDRESS_DEFAULTS, type ClientAddressSettings } from './clientAddress.ts';

/**
 * The route file (routes.yaml) as data: parsed, validated against a strict schema, merged
 * with defaults and environment overrides. Any problem stops the load with a message that
 * names the route (or upstream) and the field.
 */
export const COMMAND_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type CommandMethod = (typeof COMMAND_METHODS)[number];

/** A token bucket per client address: `rate` tokens per second, at most `burst` at once. */
export interface RateLimitSettings {
  rate: number;
  burst: number;
}

export interface RouteSettings {
  methods: readonly CommandMethod[];
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** The whole exchange, request start to the answer's last byte (an upstream stalling mid-body); 0: unbounded. */
  totalTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Bytes. */
  bodyLimit: number;
  retry: RetryPolicy;
  breaker: Omit<BreakerSettings, 'timeoutMs'>;
  /** Per client address; false: not limited. */
  rateLimit: RateLimitSettings | false;
}

export interface UpstreamSpec {
  name: string;
  /** One or more instances (origins only), tried round-robin. */
  urls: readonly string[];
  /** Where the urls came from: the file, or the environment variable that overrode them. */
  source: string;
  maxSockets: number;
  idleTimeoutMs: number;
  /** An instance failing this many times in a row is skipped for a while (several instances only). */
  outlierEjection: OutlierEjectionSettings;
}

export interface OutlierEjectionSettings {
  consecutiveFailures: number;
  /** First ejection; each further one in a row lasts one more multiple (up to 10×). */
  ejectionMs: number;
}

export interface RouteSpec extends RouteSettings {
  name: string;
  /** Pattern: literal segments, `*` for one segment, a trailing `/**` for everything below. */
  path: string;
  upstream: UpstreamSpec;
}

export interface RouteFile {
  routes: readonly RouteSpec[];
  upstreams: readonly UpstreamSpec[];
  /** How clients are told apart for rate limits. */
  clientAddress: ClientAddressSettings;
}

export class RouteFileError extends Error {
  constructor(file: string, problems: readonly string[]) {
    super(`invalid routes file ${file}: ${problems.join('; ')}`);
    this.name = 'RouteFileError';
  }
}

/** Generous for one client address (a NAT may hide many users), yet a single host cannot flood a write service. */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = Object.freeze({ rate: 100, burst: 200 });

export const BUILT_IN_DEFAULTS: RouteSettings = Object.freeze({
  methods: COMMAND_METHODS,
  connectTimeoutMs: 1000,
  responseTimeoutMs: 10_000,
  totalTimeoutMs: 0,
  bodyTimeoutMs: 10_000,
  bodyLimit: 1024 * 1024,
  retry: Object.freeze({ retries: 2, initialDelayMs: 50, maxDelayMs: 1000, factor: 2 }),
  breaker: Object.freeze({
    errorThresholdPercentage: 50,
    volumeThreshold: 20,
    resetTimeoutMs: 5000,
    rollingCountTimeoutMs: 10_000,
  }),
  rateLimit: DEFAULT_RATE_LIMIT,
});

export const UPSTREAM_DEFAULTS = Object.freeze({
  maxSockets: 256,
  idleTimeoutMs: 4000,
  outlierEjection: Object.freeze({ consecutiveFailures: 3, ejectionMs: 5000 }),
});

const millis = z.number().int().positive();
const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const UNIT = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;
const byteSize = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(SIZE, 'expected a size such as 65536, 64kb or 1mb')
    .transform((text) => {
      const [, digits = '0', unit = 'b'] = SIZE.exec(text) ?? [];
      return Number(digits) * UNIT[unit.toLowerCase() as keyof typeof UNIT];
    }),
]);

const settingsShape = {
  methods: z.array(z.enum(COMMAND_METHODS)).min(1).optional(),
  connectTimeoutMs: millis.optional(),
  responseTimeoutMs: millis.optional(),
  totalTimeoutMs: z.number().int().min(0).optional(),
  bodyTimeoutMs: millis.optional(),
  bodyLimit: byteSize.optional(),
  retry: z
    .strictObject({
      retries: z.number().int().min(0).max(10).optional(),
      initialDelayMs: millis.optional(),
      maxDelayMs: millis.optional(),
      factor: z.number().min(1).optional(),
    })
    .optional(),
  breaker: z
    .strictObject({
      errorThresholdPercentage: z.number().gt(0).max(100).optional(),
      // opossum's default 0 opens the breaker on the very first failure: refuse it.
      volumeThreshold: z.number().int().min(1).optional(),
      resetTimeoutMs: millis.optional(),
      rollingCountTimeoutMs: millis.optional(),
    })
    .optional(),
  rateLimit: z
    .union(
      [
        z.literal(false),
        z.strictObject({
          rate: z.number().positive().max(1_000_000).optional(),
          // .int() would fail the whole union with its generic message; refine keeps the field named.
          burst: z.number().min(1).max(1_000_000).refine(Number.isInteger, 'expected an integer').optional(),
        }),
      ],
      { error: 'expected false (no limit) or { rate, burst }' },
    )
    .optional(),
};

const PATTERN = /^(\/(\*\*|\*|[A-Za-z0-9._~!$&'()+,;=:@-]+))+$|^\/$/;

const fileSchema = z.strictObject({
  defaults: z.strictObject(settingsShape).optional(),
  clientAddress: z
    .strictObject({
      trustedProxies: z.number().int().min(0).max(10).optional(),
      ipv6PrefixLength: z.number().int().min(16).max(64).optional(),
    })
    .optional(),
  upstreams: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/, 'upstream names are lower-case words (a-z, 0-9, -)'),
    z.strictObject({
      url: z.union([z.string(), z.array(z.string()).min(1)]),
      maxSockets: z.number().int().positive().optional(),
      idleTimeoutMs: millis.optional(),
      outlierEjection: z
        .strictObject({ consecutiveFailures: z.number().int().min(1).max(100).optional(), ejectionMs: millis.optional() })
        .optional(),
    }),
  ),
  routes: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'route names are lower-case words (a-z, 0-9, -)'),
        path: z
          .string()
          .regex(PATTERN, 'expected a path pattern such as /api/v1/orders/** (literal segments, *, trailing **)')
          .refine((p) => !p.split('/').slice(0, -1).includes('**'), '** is allowed only as the last segment')
          .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'no . or .. segments'),
        upstream: z.string(),
        ...settingsShape,
      }),
    )
    .min(1),
});

type RawFile = z.infer<typeof fileSchema>;
type RawSettings = z.infer<z.ZodObject<typeof settingsShape>>;

/** Reads and validates a route file; `env` supplies the `<NAME>_URL` overrides. */
export async function loadRouteFile(file: string, env: Readonly<Record<string, string | undefined>>): Promise<RouteFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RouteFileError(file, [`cannot read it (${(error as Error).message})`]);
  }
  return parseRouteFile(text, file, env);
}

export function parseRouteFile(text: string, file: string, env: Readonly<Record<string, string | undefined>>): RouteFile {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) throw new RouteFileError(file, document.errors.map((e) => `YAML: ${e.message}`));
  const raw: unknown = document.toJS();
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new RouteFileError(file, parsed.error.issues.map((issue) => describeIssue(issue, raw)));
  const problems: string[] = [];
  const result = resolve(parsed.data, env, problems);
  if (problems.length > 0) throw new RouteFileError(file, problems);
  return result;
}

function resolve(data: RawFile, env: Readonly<Record<string, string | undefined>>, problems: string[]): RouteFile {
  const defaults = merge(BUILT_IN_DEFAULTS, data.defaults ?? {});
  const upstreams = new Map<string, UpstreamSpec>();
  for (const [name, spec] of Object.entries(data.upstreams)) {
    const variable = `${name.toUpperCase().replaceAll('-', '_')}_URL`;
    const override = env[variable];
    const urls = override !== undefined && override !== '' ? override.split(',').map((u) => u.trim()) : [spec.url].flat();
    const where = override ? ` (from ${variable})` : '';
    const invalid = urls.map(originProblem).filter((p) => p !== undefined);
    problems.push(...invalid.map((problem) => `upstream "${name}" field url${where}: ${problem}`));
    if (invalid.length > 0) continue;
    if (new Set(urls.map((u) => new URL(u).protocol)).size > 1) {
      problems.push(`upstream "${name}" field url${where}: all instances must use the same scheme`);
      continue;
    }
    upstreams.set(name, {
      name,
      urls: urls.map((u) => new URL(u).origin),
      source: override ? variable : 'file',
      maxSockets: spec.maxSockets ?? UPSTREAM_DEFAULTS.maxSockets,
      idleTimeoutMs: spec.idleTimeoutMs ?? UPSTREAM_DEFAULTS.idleTimeoutMs,
      outlierEjection: { ...UPSTREAM_DEFAULTS.outlierEjection, ...stripUndefined(spec.outlierEjection) },
    });
  }
  const clientAddress: ClientAddressSettings = Object.freeze({ ...CLIENT_ADDRESS_DEFAULTS, ...stripUndefined(data.clientAddress) });
  if (problems.length > 0) return { routes: [], upstreams: [], clientAddress };
  const routes: RouteSpec[] = [];
  const seen = new Map<string, string>();
  data.routes.forEach((route, index) => {
    const label = `route "${route.name}" (routes[${index}])`;
    const upstream = upstreams.get(route.upstream);
    if (!upstream) {
      problems.push(`${label} field upstream: unknown upstream "${route.upstream}" (defined: ${[...upstreams.keys()].join(', ')})`);
      return;
    }
    for (const [key, value] of [
      ['name', route.name],
      ['path', route.path],
    ] as const) {
      const previous = seen.get(`${key}:${value}`);
      if (previous) problems.push(`${label} field ${key}: "${value}" is already used by ${previous}`);
      seen.set(`${key}:${value}`, label);
    }
    const { name, path, upstream: _upstream, ...overrides } = route;
    routes.push({ ...merge(defaults, overrides), name, path, upstream });
  });
  return { routes, upstreams: [...upstreams.values()], clientAddress };
}

function merge(base: RouteSettings, over: RawSettings): RouteSettings {
  return {
    methods: over.methods ?? base.methods,
    connectTimeoutMs: over.connectTimeoutMs ?? base.connectTimeoutMs,
    responseTimeoutMs: over.responseTimeoutMs ?? base.responseTimeoutMs,
    totalTimeoutMs: over.totalTimeoutMs ?? base.totalTimeoutMs,
    bodyTimeoutMs: over.bodyTimeoutMs ?? base.bodyTimeoutMs,
    bodyLimit: over.bodyLimit ?? base.bodyLimit,
    retry: { ...base.retry, ...stripUndefined(over.retry) },
    breaker: { ...base.breaker, ...stripUndefined(over.breaker) },
    // Field by field too; over `false` (defaults without a limit) from the built-in values.
    rateLimit:
      over.rateLimit === undefined
        ? base.rateLimit
        : over.rateLimit === false
          ? false
          : { ...(base.rateLimit === false ? DEFAULT_RATE_LIMIT : base.rateLimit), ...stripUndefined(over.rateLimit) },
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function originProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${text}" must be http or https`;
  if (url.username || url.password) return `"${text}" must not carry credentials`;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    return `"${text}" must be an origin (scheme://host:port) without path or query; paths are forwarded unchanged`;
  return undefined;
}

/** `routes.1.retry.retries: Too small` → `route "orders" (routes[1]) field retry.retries: Too small`. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const [section, key, ...rest] = issue.path.map(String);
  let where: string;
  let field: string[];
  if (section === 'routes' && key !== undefined) {
    const name = nameAt(raw, Number(key));
    where = `route ${name === undefined ? '' : `"${name}" `}(routes[${key}])`;
    field = rest;
  } else if (section === 'upstreams' && key !== undefined) {
    where = `upstream "${key}"`;
    field = rest;
  } else {
    where = section ?? 'file';
    field = key === undefined ? [] : [key, ...rest];
  }
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => `${where} field ${[...field, key].join('.')}: unknown field`).join('; ');
  const named = field.length > 0 ? ` field ${field.join('.')}` : '';
  return `${where}${named}: ${issue.message}`;
}

function nameAt(raw: unknown, index: number): string | undefined {
  const routes = (raw as { routes?: unknown } | null)?.routes;
  const route: unknown = Array.isArray(routes) ? routes[index] : undefined;
  const name = (route as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}
