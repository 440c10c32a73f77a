import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema, Kind, parse, print, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { loadTypeDefs } from '../src/controller/graphql/typeDefs.ts';
import { postGraphQL, type GraphQLAnswer } from './support/graphqlClient.ts';
import { Journey } from './support/journey.ts';
import { NO_WRITE_SERVICES, ReadModelHarness, startSuite, testConfig, type Json, type Suite } from './support/readModelHarness.ts';

/**
 * The per-operation limits of `/graphql` (docs/security.md) with their defaults: each limit
 * rejects a query built to exceed it (and only it) with a 400 naming the limit; the heaviest
 * legitimate query, the operations dashboard's page of 50 orders, passes; introspection and
 * suggestions are off. An `api` instance on the same stores, configured the other way, shows
 * the variables reach the server and that the largest token limit still stops deep nests.
 *
 * The fixture measures (graphql-armor's own counting): depth 5, aliases 0, directives 0,
 * cost 192.7 (fragments flattened), 107 tokens; defaults 10, 50, 10, 500, 1000.
 */
const DASHBOARD = readFileSync(new URL('./fixtures/operationsDashboard.graphql', import.meta.url), 'utf8');
const PAGE = 50;

let suite: Suite;
let configured: ReadModelHarness;
const customerId = `customer-${randomUUID().slice(0, 8)}`;
const base = Date.now() - 3_600_000;
const journeys = Array.from({ length: PAGE }, (_, i) => Journey.delivered({ customerId, at: base + i * 60_000 }));

const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL(suite.rm.baseUrl, query, variables);

/** A 400 whose one error has the catalogue code and a message naming the limit; never a crash. */
function expectRejected(res: GraphQLAnswer, code: string, message: RegExp): void {
  expect(res.status).toBe(400);
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors[0].extensions).toEqual({ code });
  expect(res.body.errors[0].message).toMatch(message);
  expect(res.body.errors[0].message).not.toMatch(/call stack/i);
}

/** `levels` inline fragments, one inside the other, around one field. */
const fragmentNest = (levels: number) => `{ ${'... on Query { '.repeat(levels)}__typename${' }'.repeat(levels)} }`;

beforeAll(async () => {
  suite = await startSuite('graphql-limits');
  await suite.kafka.produce(journeys.flatMap((j) => j.events));
  await suite.kafka.waitConsumed(suite.rm.config.kafka.groupId);
  const shared = { MONGO_DATABASE: suite.rm.config.mongo.database, REDIS_KEY_PREFIX: suite.rm.config.redis.keyPrefix };
  configured = await ReadModelHarness.start(
    testConfig('graphql-limits-configured', {
      ...NO_WRITE_SERVICES,
      ...shared,
      READ_MODEL_PROFILE: 'api',
      GRAPHQL_INTROSPECTION: 'true',
      GRAPHQL_MAX_DEPTH: '4',
      GRAPHQL_MAX_TOKENS: '2000',
    }),
  );
});
afterAll(async () => {
  await configured.close();
  await suite.destroy();
});

describe('the heaviest legitimate query', () => {
  const schema = buildSchema(loadTypeDefs());
  const fieldsOf = (type: string) => Object.keys((schema.getType(type) as GraphQLObjectType).getFields()).sort();
  const keys = (value: Json) => Object.keys(value as object).sort();

  it(`given ${PAGE} delivered orders when the operations dashboard's page is posted then 200 with all of them, nested, without errors`, async () => {
    const res = await gql(DASHBOARD, { customerId });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const items = res.body.data.orders.items as { orderId: string; dispatch: { dispatchId: string }; delivery: { deliveryId: string } }[];
    expect(items.map((o) => [o.orderId, o.dispatch.dispatchId, o.delivery.deliveryId])).toEqual(journeys.map((j) => [j.orderId, j.dispatchId, j.deliveryId]).reverse());
    expect(res.body.data.orders.nextCursor).toBeNull();
  });

  it('selects every field the schema has for those types (a field added to schema.graphql must be added there and measured)', async () => {
    const order = (await gql(DASHBOARD, { customerId })).body.data.orders.items[0];
    expect(keys(order)).toEqual(fieldsOf('Order'));
    expect(keys(order.items[0])).toEqual(fieldsOf('OrderItem'));
    expect(keys(order.deliveryAddress)).toEqual(fieldsOf('Address'));
    expect(keys(order.dispatch)).toEqual(fieldsOf('Dispatch'));
    expect(keys(order.dispatch.pickup)).toEqual(fieldsOf('GeoPoint'));
    expect(keys(order.delivery)).toEqual(fieldsOf('Delivery'));
    expect(keys(order.delivery.location)).toEqual(fieldsOf('Location'));
  });
});

describe('each limit, exceeded on its own, with the defaults', () => {
  it('depth: a selection 11 deep (9 inline fragments around orders { nextCursor }) answers 400 naming the depth limit', async () => {
    const res = await gql(`{ ${'... on Query { '.repeat(9)}orders { nextCursor }${' }'.repeat(9)} }`);
    expectRejected(res, 'VALIDATION_FAILED', /depth limit of 10 exceeded, found 11/);
  });

  it('aliases: 51 aliased fields answer 400 naming the alias limit', async () => {
    const res = await gql(`{ ${Array.from({ length: 51 }, (_, i) => `a${i}: orders { nextCursor }`).join(' ')} }`);
    expectRejected(res, 'VALIDATION_FAILED', /Aliases limit of 50 exceeded, found 51/);
  });

  it('directives: 11 directives answer 400 naming the directive limit', async () => {
    const res = await gql(`{ orders { ${'nextCursor @include(if: true) '.repeat(11)}} }`);
    expectRejected(res, 'VALIDATION_FAILED', /Directives limit of 10 exceeded, found 11/);
  });

  it('cost: the dashboard three times over in one operation answers 400 naming the cost limit', async () => {
    const operation = parse(DASHBOARD).definitions[0] as OperationDefinitionNode;
    const tripled: OperationDefinitionNode = {
      ...operation,
      selectionSet: {
        ...operation.selectionSet,
        selections: ['a', 'b', 'c'].flatMap((alias) => operation.selectionSet.selections.map((field) => ({ ...field, alias: { kind: Kind.NAME, value: alias } }))),
      },
    };
    const res = await gql(print(tripled), { customerId });
    expectRejected(res, 'VALIDATION_FAILED', /Cost limit of 500 exceeded, found 578/);
  });

  it('tokens: a document of 1,002 tokens answers 400 naming the token limit, before validation', async () => {
    const res = await gql(`{ ${'__typename '.repeat(1000)}}`);
    expectRejected(res, 'MALFORMED_REQUEST', /more th.. 1000 tokens/);
  });

  it('a 3,000-deep nest of inline fragments answers 400 naming the token limit, not a stack overflow, and the server goes on', async () => {
    const res = await gql(fragmentNest(3000));
    expectRejected(res, 'MALFORMED_REQUEST', /more th.. 1000 tokens/);
    const after = await gql('{ orders(limit: 1) { nextCursor } }');
    expect([after.status, after.body.errors]).toEqual([200, undefined]);
  });

  it('list size: a page of 100 answers, 101 is a VALIDATION_FAILED field error naming limit', async () => {
    const page = 'query ($limit: Int) { orders(limit: $limit) { nextCursor } }';
    const hundred = await gql(page, { limit: 100 });
    expect([hundred.status, hundred.body.errors]).toEqual([200, undefined]);
    const more = await gql(page, { limit: 101 });
    expect(more.body.data).toBeNull();
    expect(more.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect((more.body.errors[0].extensions.errors as { field: string }[]).map((e) => e.field)).toEqual(['limit']);
  });
});

describe('introspection and suggestions, off by default', () => {
  it.each([
    ['__schema', '{ __schema { queryType { name } } }'],
    ['__type', '{ __type(name: "Order") { fields { name } } }'],
  ])('given a %s query when posted then 400 VALIDATION_FAILED about introspection', async (_case, query) => {
    expectRejected(await gql(query), 'VALIDATION_FAILED', /introspection is not allowed/);
  });

  it.each([
    ['a misspelled field', '{ orders { nextCursr } }', undefined, 'nextCursor'],
    ['a misspelled enum value', '{ orders(stage: DELIVERD) { nextCursor } }', undefined, 'DELIVERED'],
    ['a misspelled enum value in a variable', 'query ($stage: Stage) { orders(stage: $stage) { nextCursor } }', { stage: 'DELIVERD' }, 'DELIVERED'],
  ])('given %s when posted then 400 without "Did you mean"', async (_case, query, variables, suggestion) => {
    const res = await gql(query, variables);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors[0].message).not.toMatch(/Did you mean/);
    expect(res.body.errors[0].message).not.toContain(suggestion);
  });
});

describe('configured the other way (GRAPHQL_INTROSPECTION=true, GRAPHQL_MAX_DEPTH=4, GRAPHQL_MAX_TOKENS=2000)', () => {
  const configuredGql = (query: string, variables?: Record<string, unknown>) => postGraphQL(configured.baseUrl, query, variables);

  it('answers introspection and suggests fields (as `npm start` has it)', async () => {
    const schema = await configuredGql('{ __schema { queryType { name } } }');
    expect([schema.status, schema.body]).toEqual([200, { data: { __schema: { queryType: { name: 'Query' } } } }]);
    const misspelled = await configuredGql('{ orders { nextCursr } }');
    expect(misspelled.body.errors[0].message).toMatch(/Did you mean "nextCursor"\?/);
  });

  it('takes its depth from the variable: the dashboard (depth 5) answers 400 naming a depth limit of 4', async () => {
    expectRejected(await configuredGql(DASHBOARD, { customerId }), 'VALIDATION_FAILED', /depth limit of 4 exceeded, found 5/);
  });

  // The cheapest nesting per token is a list value (2 tokens a level); the token cap keeps
  // even that one well inside the stack of parsing and validation.
  it.each([
    ['a list value nested 990 deep', `{ orders(customerId: ${'['.repeat(990)}${']'.repeat(990)}) { nextCursor } }`, /String cannot represent/],
    ['399 inline fragments', fragmentNest(399), /depth limit of 4 exceeded/],
  ])('at the largest token limit, %s answers a 400 naming what is wrong, not a stack overflow', async (_case, query, message) => {
    const res = await configuredGql(query);
    expect(res.status).toBe(400);
    const errors = res.body.errors as { message: string; extensions: { code: string } }[];
    expect(errors.map((e) => e.extensions.code)).toEqual(errors.map(() => 'VALIDATION_FAILED'));
    expect(errors.some((e) => message.test(e.message))).toBe(true);
    expect(errors.map((e) => e.message).join('\n')).not.toMatch(/call stack/i);
  });
});
