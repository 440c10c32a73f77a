import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/**
 * One catalogue of error codes for every service (RFC 9457 problem details). Callers
 * throw `Problem`s; the error handler renders them as application/problem+json and never
 * sends a stack trace.
 */
export const PROBLEM_TYPES = {
  VALIDATION_FAILED: { status: 400, title: 'Request validation failed' },
  MALFORMED_REQUEST: { status: 400, title: 'Malformed HTTP request' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  NOT_FOUND: { status: 404, title: 'Resource not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request not received in time' },
  INVALID_TRANSITION: { status: 409, title: 'Transition not allowed in the current state' },
  RULE_VIOLATED: { status: 409, title: 'A rule across aggregates forbids this command' },
  VERSION_CONFLICT: { status: 409, title: 'Concurrent modification' },
  IDEMPOTENCY_IN_FLIGHT: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency-Key reused with a different request' },
  UNKNOWN_REFERENCE: { status: 422, title: 'The command refers to something that does not exist' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  INTERNAL: { status: 500, title: 'Internal error' },
  BAD_GATEWAY: { status: 502, title: 'Upstream failed' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  CIRCUIT_OPEN: { status: 503, title: 'Upstream circuit open' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A service this command depends on is unavailable' },
  GATEWAY_TIMEOUT: { status: 504, title: 'Upstream timed out' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: ProblemCode;
  [extension: string]: unknown;
}

export class Problem extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail?: string,
    options: { extensions?: Record<string, unknown>; headers?: Record<string, string>; retriable?: boolean } = {},
  ) {
    super(detail ?? PROBLEM_TYPES[code].title);
    this.name = 'Problem';
    this.code = code;
    this.status = PROBLEM_TYPES[code].status;
    this.retriable = options.retriable ?? this.status >= 500;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: `urn:problem:${this.code.toLowerCase().replaceAll('_', '-')}`,
      title: PROBLEM_TYPES[this.code].title,
      status: this.status,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
      code: this.code,
      ...this.extensions,
    };
  }
}

export function sendProblem(res: Response, problem: Problem): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(problem.toBody(res.req.originalUrl)));
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * The same answer as `sendProblem` for a plain node:http response (hot paths that run
 * without express, such as the gateway's proxy).
 */
export function writeProblem(res: ServerResponse, problem: Problem, instance?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(problem.toBody(instance));
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.writeHead(problem.status, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Express errors (body-parser and friends) carry `type` and `status`; map them to the catalogue. */
function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const e = error as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return new Problem('MALFORMED_JSON', 'The body is not valid JSON.');
  if (e.type === 'entity.too.large') return new Problem('PAYLOAD_TOO_LARGE', 'The body exceeds the size limit.');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return new Problem('UNSUPPORTED_MEDIA_TYPE', e.message);
  if (e.status === 400) return new Problem('VALIDATION_FAILED', 'The request could not be read.');
  return new Problem('INTERNAL', 'An unexpected error occurred.');
}

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500) logger.error({ err: error, requestId: req.headers['x-request-id'] }, 'request failed');
    sendProblem(res, problem);
  };
}

export const routeNotFound: RequestHandler = (req, res) => {
  sendProblem(res, new Problem('ROUTE_NOT_FOUND', `No endpoint for ${req.method} ${req.path}.`));
};

/** One entry of a 400's `errors` list: which input, and why. The same shape in every service. */
export interface FieldError {
  field: string;
  message: string;
}

/** 400 VALIDATION_FAILED listing every bad field. */
export function invalidFields(errors: readonly FieldError[], what = 'request'): Problem {
  return new Problem('VALIDATION_FAILED', `Invalid ${what}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`, {
    extensions: { errors },
  });
}

/** Zod issues as field errors; unknown keys are listed one by one, `whole` names the input itself. */
export function fieldErrorsOf(issues: readonly ZodIssueLike[], whole: string): FieldError[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.keys
      ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }))
      : [{ field: issue.path.join('.') || whole, message: issue.message }],
  );
}

interface ZodIssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

/** The problem+json body as JSON Schema, for every service's OpenAPI document. */
export const PROBLEM_JSON_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', enum: Object.keys(PROBLEM_TYPES) },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

/** An OpenAPI response answering problem+json (expects `Problem` under components.schemas). */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/**
 * OpenAPI responses for the problems an operation can answer, one per status, each
 * described by the catalogue's codes and titles: the lists come from the code that throws
 * them, so a document says what the service answers.
 */
export function problemResponses(codes: Iterable<ProblemCode>): Record<string, ReturnType<typeof problemResponse>> {
  const byStatus = new Map<number, Set<ProblemCode>>();
  for (const code of codes) {
    const status = PROBLEM_TYPES[code].status;
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, set]) => [String(status), problemResponse([...set].map((code) => `\`${code}\`: ${PROBLEM_TYPES[code].title}`).join('; '))]),
  );
}
