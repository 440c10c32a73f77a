import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { PROBLEM_TYPES } from '@delivery/runtime-kit';
import type { Exchange } from './exchanges.ts';

/**
 * The malformed half of the GraphQL fuzz. schemathesis generates valid operations from the
 * SDL (every root field, arguments of the right types); this sends what it never does:
 * documents with broken syntax, arguments and variables of the wrong type, unknown fields,
 * absurd nesting, bodies that are not a GraphQL request at all, over GET and POST. Each case
 * is fixed by the seed (fast-check `sample`), so a failure names the request to replay.
 */

export interface GraphqlCase {
  method: 'GET' | 'POST';
  contentType: string | undefined;
  /** The raw body (POST) or query string (GET). */
  payload: string;
  /** Ids the request asks for, to check afterwards that an unknown one stays unknown. */
  ids: readonly string[];
}

type RootField = 'order' | 'dispatch' | 'delivery';
const FIELDS: Record<RootField, { arg: string; selection: string[] }> = {
  order: { arg: 'orderId', selection: ['orderId', 'status', 'stage', 'totalAmount', 'items { menuId quantity }', 'dispatch { dispatchId status }', 'delivery { deliveryId location { lat lng } }', 'version'] },
  dispatch: { arg: 'dispatchId', selection: ['dispatchId', 'status', 'riderId', 'pickup { lat lng }', 'version'] },
  delivery: { arg: 'deliveryId', selection: ['deliveryId', 'status', 'location { lat lng updatedAt }', 'cancelReason'] },
};

const junkToken = fc.constantFrom('{', '}', '(', ')', '$', '...', '@skip', '@include(if: $x)', '#', '"', '"""', ':', '!', '[', ']', '=', '|', '&', '\u0000', '\uffff', '😀', 'query', 'mutation', 'subscription', 'fragment', '__schema', '__typename', 'on', '1e999', '-0');

const wrongValue = fc.oneof(
  fc.constantFrom('null', 'true', '42', '-1', '1e309', '0.5', '""', '"x"', '[]', '{}', 'PLACED', '$undeclared', '"\\u0000"', `"${'a'.repeat(300)}"`, '999999999999999999999'),
  fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true }).map((d) => String(d)),
);

function idArbitrary(seeds: readonly string[]) {
  return fc.oneof(
    fc.uuid().map((u) => u),
    fc.constantFrom(...(seeds.length > 0 ? seeds : [randomUUID()])),
    fc.constantFrom('', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ', ' ', '../', '%00', 'f'.repeat(200)),
    fc.string({ maxLength: 60 }),
  );
}

const selectionOf = (field: RootField) => fc.subarray(FIELDS[field].selection, { minLength: 1 }).map((s) => s.join(' '));
const rootField = fc.constantFrom<RootField>('order', 'dispatch', 'delivery');

/** A document that parses and validates (the starting point of most mutations). */
function validDocument(seeds: Record<string, string[]>) {
  const byId = rootField.chain((field) =>
    fc.tuple(idArbitrary(seeds[FIELDS[field].arg] ?? []), selectionOf(field)).map(([id, selection]) => ({
      query: `{ ${field}(${FIELDS[field].arg}: ${JSON.stringify(id)}) { ${selection} } }`,
      ids: [id],
    })),
  );
  const list = fc
    .tuple(
      fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      fc.option(fc.constantFrom('PLACED', 'ACCEPTED', 'DELIVERED', 'CANCELLED'), { nil: undefined }),
      fc.option(fc.integer({ min: -5, max: 150 }), { nil: undefined }),
      fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.base64String({ maxLength: 60 })), { nil: undefined }),
    )
    .map(([customerId, stage, limit, after]) => {
      const args = [
        customerId === undefined ? '' : `customerId: ${JSON.stringify(customerId)}`,
        stage === undefined ? '' : `stage: ${stage}`,
        limit === undefined ? '' : `limit: ${limit}`,
        after === undefined ? '' : `after: ${JSON.stringify(after)}`,
      ].filter((a) => a !== '');
      return { query: `{ orders${args.length > 0 ? `(${args.join(', ')})` : ''} { items { orderId stage } nextCursor } }`, ids: [] as string[] };
    });
  return fc.oneof(byId, list);
}

/** A document broken in one of many ways. */
function mutatedDocument(seeds: Record<string, string[]>) {
  return fc.oneof(
    // Cut, insert or duplicate somewhere.
    fc.tuple(validDocument(seeds), fc.nat(), fc.nat({ max: 20 })).map(([d, at, length]) => ({ ...d, query: d.query.slice(0, at % (d.query.length + 1)) + d.query.slice((at % (d.query.length + 1)) + length) })),
    fc.tuple(validDocument(seeds), fc.nat(), junkToken).map(([d, at, token]) => ({ ...d, query: d.query.slice(0, at % (d.query.length + 1)) + ` ${token} ` + d.query.slice(at % (d.query.length + 1)) })),
    // An argument of the wrong type or an unknown one.
    fc.tuple(rootField, wrongValue).map(([field, value]) => ({ query: `{ ${field}(${FIELDS[field].arg}: ${value}) { __typename } }`, ids: [] })),
    fc.tuple(fc.constantFrom('customerId', 'stage', 'limit', 'after', 'first', 'orderId'), wrongValue).map(([arg, value]) => ({ query: `{ orders(${arg}: ${value}) { items { orderId } } }`, ids: [] })),
    // Unknown fields, mutations, subscriptions, introspection.
    fc.constantFrom(
      { query: '{ nothing }', ids: [] },
      { query: 'mutation { placeOrder }', ids: [] },
      { query: 'subscription { orders { orderId } }', ids: [] },
      { query: '{ __schema { types { name } } }', ids: [] },
      { query: '{ __type(name: "Order") { fields { name } } }', ids: [] },
      { query: '', ids: [] },
      { query: '   ', ids: [] },
      { query: '{ orders { items { orderId } } } { orders { nextCursor } }', ids: [] },
      { query: 'query A { __typename } query A { __typename }', ids: [] },
      { query: 'query A { __typename } query B { __typename }', ids: [] },
    ),
    // Nesting, aliases and directives past the limits.
    fc.integer({ min: 5, max: 60 }).map((depth) => ({ query: `{ orders { items { ${'dispatch { orderId '.repeat(depth)}${'}'.repeat(depth)} } } }`, ids: [] })),
    fc.integer({ min: 40, max: 400 }).map((n) => ({ query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`, ids: [] })),
    fc.integer({ min: 5, max: 40 }).map((n) => ({ query: `{ __typename ${'@skip(if: false) '.repeat(n)}}`, ids: [] })),
    fc.integer({ min: 200, max: 3000 }).map((n) => ({ query: `{ ${'__typename '.repeat(n)}}`, ids: [] })),
    fc.integer({ min: 2, max: 30 }).map((n) => ({ query: `query Q($v: ID) { ${Array.from({ length: n }, (_, i) => `o${i}: orders(limit: 100) { items { dispatch { delivery { location { lat } } } } }`).join(' ')} }`, ids: [] })),
  );
}

/** Variables of the wrong shape for an operation that declares them. */
function variablesCase(seeds: Record<string, string[]>) {
  return fc
    .tuple(
      rootField,
      fc.oneof(idArbitrary(seeds['orderId'] ?? []).map((id): unknown => id), fc.jsonValue()),
      fc.constantFrom('ID!', 'ID', 'String!', 'Int', '[ID!]!', 'Stage'),
      fc.constantFrom<unknown>(undefined, null, 'Q', 'Other', 42, ['Q']),
      fc.oneof(fc.constant<unknown>(undefined), fc.jsonValue()),
    )
    .map(([field, value, type, operationName, extra]) => {
      const body: Record<string, unknown> = {
        query: `query Q($id: ${type}) { ${field}(${FIELDS[field].arg}: $id) { __typename } }`,
        variables: extra === undefined ? { id: value } : extra,
      };
      if (operationName !== undefined) body['operationName'] = operationName;
      return { body: JSON.stringify(body), ids: typeof value === 'string' ? [value] : [] };
    });
}

/** The request around a document: JSON POST mostly, also GET, other content types and non-requests. */
export function graphqlCases(seeds: Record<string, string[]>) {
  const post = (body: string, ids: readonly string[], contentType = 'application/json'): GraphqlCase => ({ method: 'POST', contentType, payload: body, ids });
  return fc.oneof(
    { weight: 4, arbitrary: mutatedDocument(seeds).map((d) => post(JSON.stringify({ query: d.query }), d.ids)) },
    { weight: 2, arbitrary: validDocument(seeds).map((d) => post(JSON.stringify({ query: d.query }), d.ids)) },
    { weight: 2, arbitrary: variablesCase(seeds).map((v) => post(v.body, v.ids)) },
    {
      weight: 1,
      arbitrary: fc.oneof(validDocument(seeds), mutatedDocument(seeds)).map((d): GraphqlCase => ({
        method: 'GET',
        contentType: undefined,
        payload: new URLSearchParams({ query: d.query }).toString(),
        ids: d.ids,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.jsonValue().map((v) => post(JSON.stringify(v), [])),
        fc.record({ query: fc.jsonValue() }).map((v) => post(JSON.stringify(v), [])),
        fc.string({ maxLength: 200 }).map((s) => post(s, [])),
        validDocument(seeds).map((d) => post(d.query, d.ids, 'application/graphql')),
        validDocument(seeds).map((d) => post(JSON.stringify({ query: d.query }), d.ids, 'text/plain')),
        validDocument(seeds).map((d) => post(JSON.stringify([{ query: d.query }, { query: d.query }]), d.ids)),
        validDocument(seeds).map((d) => post(JSON.stringify({ query: d.query, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }), d.ids)),
        fc.constantFrom(post('', []), post('{', []), post('{"query": "{ __typename }"', []), post('\u0000', []), post('{"query": "{ __typename }"}', [], 'application/json; charset=latin1')),
      ),
    },
  );
}

/** Why an answer breaks the GraphQL conventions of docs/security.md ("Fuzzing"), or undefined. */
export function graphqlAnswerProblem(status: number, contentType: string, text: string): string | undefined {
  if (status >= 500) return `answered ${status}`;
  if (status >= 400 && !contentType.includes('json')) return `${status} answered with ${contentType || 'no content type'}`;
  if (!contentType.includes('json')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `a ${status} ${contentType} answer that is not JSON`;
  }
  if (contentType.startsWith('application/problem+json')) {
    // The read model's own refusals before GraphQL (405, 413, 415, a body that is not JSON).
    const problem = body as { status?: unknown; code?: unknown };
    if (status < 400 || problem.status !== status || typeof problem.code !== 'string') return `problem answer ${text.slice(0, 200)} with status ${status}`;
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `a ${status} answer that is not a JSON object`;
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (status >= 400) {
    if (data !== undefined && data !== null) return `${status} answer with data`;
    if (!Array.isArray(errors) || errors.length === 0) return `${status} answer without errors`;
  }
  if (errors === undefined) return undefined;
  if (!Array.isArray(errors)) return '`errors` is not a list';
  for (const error of errors as { message?: unknown; extensions?: { code?: unknown } }[]) {
    if (typeof error.message !== 'string') return 'an error without a message';
    const code = error.extensions?.code;
    if (typeof code !== 'string' || !Object.hasOwn(PROBLEM_TYPES, code)) return `error code ${String(code)} is not in the catalogue`;
    if (code === 'INTERNAL') return `INTERNAL error: ${error.message}`;
  }
  return undefined;
}

/** A by-id root field answered null without an error: GraphQL's "no such id". */
function answeredUnknown(text: string): boolean {
  try {
    const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown };
    if (body.errors !== undefined || !body.data) return false;
    return ['order', 'dispatch', 'delivery'].some((field) => field in (body.data ?? {}) && body.data?.[field] === null);
  } catch {
    return false;
  }
}

export interface GraphqlFuzzResult {
  exchanges: Exchange[];
  /** Each broken answer, with the request that caused it. */
  failures: string[];
  /** Ids asked for that the read model did not know (null, or a NOT_FOUND), to check they stay unknown. */
  unknownIds: string[];
  ms: number;
}

/** Sends `count` generated requests to `${readModelUrl}/graphql`, one after the other. */
export async function fuzzGraphql(readModelUrl: string, seeds: Record<string, string[]>, count: number, seed: number): Promise<GraphqlFuzzResult> {
  const started = Date.now();
  const cases = fc.sample(graphqlCases(seeds), { seed, numRuns: count });
  const exchanges: Exchange[] = [];
  const failures: string[] = [];
  const unknownIds = new Set<string>();
  for (const [index, c] of cases.entries()) {
    const url = c.method === 'GET' ? `${readModelUrl}/graphql?${c.payload}` : `${readModelUrl}/graphql`;
    // One in five without Apollo's CSRF preflight header: a GET without it must be refused cleanly.
    const headers: Record<string, string> = { 'x-request-id': `fzgql${seed}-${index}`, ...(index % 5 === 0 ? {} : { 'apollo-require-preflight': 'true' }) };
    if (c.contentType !== undefined) headers['content-type'] = c.contentType;
    let status: number;
    let contentType: string;
    let text: string;
    try {
      const res = await fetch(url, { method: c.method, headers, ...(c.method === 'POST' ? { body: c.payload } : {}), signal: AbortSignal.timeout(20_000) });
      status = res.status;
      contentType = res.headers.get('content-type') ?? '';
      text = await res.text();
    } catch (error) {
      failures.push(`case ${index}: ${c.method} /graphql ${c.payload.slice(0, 300)} → no answer (${(error as Error).message})`);
      continue;
    }
    exchanges.push({
      target: 'read-model/graphql-malformed',
      operation: `${c.method} /graphql`,
      method: c.method,
      path: '/graphql',
      status,
      contentType,
      requestId: headers['x-request-id'] ?? null,
      idempotencyKey: null,
      negative: true,
      body: text.slice(0, 2000),
    });
    const problem = graphqlAnswerProblem(status, contentType, text);
    if (problem) failures.push(`case ${index}: ${c.method} /graphql (${c.contentType ?? 'no content type'}) ${c.payload.slice(0, 300)} → ${problem}; answer: ${text.slice(0, 300)}`);
    const [id] = c.ids;
    if (status === 200 && c.ids.length === 1 && id !== undefined && answeredUnknown(text)) unknownIds.add(id.toLowerCase());
  }
  return { exchanges, failures, unknownIds: [...unknownIds], ms: Date.now() - started };
}
