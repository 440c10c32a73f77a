import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { z } from 'zod';
import { DeliveryView, DispatchView, OrderPage, OrderView } from '../../src/handler/index.ts';
import { SCHEMA_FILE } from '../../src/controller/graphql/typeDefs.ts';

/**
 * schema.graphql and the view definitions (handler/view/viewSchemas.ts) describe the same
 * views: same field names, same types (String/ID ↔ string, Int ↔ integer, Float ↔ number,
 * enums with the same values, lists, nested objects), and a non-null GraphQL field only
 * where the view always has a value. The resolvers are derived from the view schemas, so
 * this test is what keeps a field from being added to one side only.
 */

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' });
  return rest as JsonSchema;
}

/** A view field whose GraphQL field resolves to another view (through its loader). */
const RESOLVED_AS: Record<string, z.ZodType> = { 'Order.dispatch': DispatchView, 'Order.delivery': DeliveryView };

function nonNullPart(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (schema.anyOf) {
    const others = schema.anyOf.filter((s) => s.type !== 'null');
    return { schema: others.length === 1 ? others[0]! : { anyOf: others }, nullable: others.length < schema.anyOf.length };
  }
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const rest = schema.type.filter((t) => t !== 'null');
    return { schema: { ...schema, type: rest.length === 1 ? rest[0]! : rest }, nullable: true };
  }
  return { schema, nullable: false };
}

function disagreements(gql: GraphQLOutputType, view: JsonSchema, path: string, required: boolean): string[] {
  const { schema, nullable } = nonNullPart(view);
  let type = gql;
  if (isNonNullType(type)) {
    if (!required || nullable) return [`${path}: non-null in schema.graphql, but the view may lack it`];
    type = type.ofType;
  }
  if (isListType(type)) {
    if (schema.type !== 'array' || !schema.items) return [`${path}: a list in schema.graphql, not in the view`];
    return disagreements(type.ofType, schema.items, `${path}[]`, true);
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name).sort();
    const viewValues = (schema.enum ?? []).map(String).sort();
    return JSON.stringify(values) === JSON.stringify(viewValues) ? [] : [`${path}: enum ${type.name} is ${values.join('|')}, the view's ${viewValues.join('|')}`];
  }
  if (isScalarType(type)) {
    const expected = { ID: 'string', String: 'string', Int: 'integer', Float: 'number', Boolean: 'boolean' }[type.name];
    return schema.type === expected ? [] : [`${path}: ${type.name} in schema.graphql, ${JSON.stringify(schema.type ?? schema)} in the view`];
  }
  if (isObjectType(type)) {
    if (schema.type !== 'object' || !schema.properties) return [`${path}: object type ${type.name} in schema.graphql, not an object in the view`];
    // A view type met inside another (Order.dispatch, OrderPage.items) is checked once, as itself.
    const root = ROOT_SCHEMAS.get(type.name);
    if (root !== undefined && path !== type.name) {
      return JSON.stringify(schema) === root ? [] : [`${path}: ${type.name} in schema.graphql, another shape than the ${type.name} view`];
    }
    const fields = type.getFields();
    const problems: string[] = [];
    for (const name of Object.keys(schema.properties)) if (!(name in fields)) problems.push(`${path}.${name}: in the view, missing from ${type.name} in schema.graphql`);
    for (const [name, field] of Object.entries(fields)) {
      const resolvedAs = RESOLVED_AS[`${type.name}.${name}`];
      const inner = resolvedAs ? jsonSchema(resolvedAs) : schema.properties[name];
      if (!inner) {
        problems.push(`${path}.${name}: in ${type.name} in schema.graphql, missing from the view`);
        continue;
      }
      problems.push(...disagreements(field.type, inner, `${path}.${name}`, (schema.required ?? []).includes(name)));
    }
    return problems;
  }
  return [`${path}: unexpected GraphQL type ${String(type)}`];
}

const VIEW_TYPES: [string, z.ZodType][] = [
  ['Order', OrderView],
  ['Dispatch', DispatchView],
  ['Delivery', DeliveryView],
  ['OrderPage', OrderPage],
];

const ROOT_SCHEMAS = new Map(VIEW_TYPES.map(([name, view]) => [name, JSON.stringify(jsonSchema(view))]));

function check(schema: GraphQLSchema): string[] {
  return VIEW_TYPES.flatMap(([name, view]) => {
    const type = schema.getType(name);
    if (!type || !isObjectType(type)) return [`${name}: missing from schema.graphql`];
    return disagreements(type, jsonSchema(view), name, true);
  });
}

const sdl = readFileSync(SCHEMA_FILE, 'utf8');

describe('schema.graphql and the view definitions', () => {
  it('given the shipped schema.graphql then every view type agrees with its view definition', () => {
    expect(check(buildSchema(sdl))).toEqual([]);
  });

  it('given a field added to schema.graphql only then the disagreement is named', () => {
    const edited = sdl.replace(/type Dispatch \{/, 'type Dispatch {\n  etaMinutes: Int');
    expect(check(buildSchema(edited))).toEqual(['Dispatch.etaMinutes: in Dispatch in schema.graphql, missing from the view']);
  });

  it('given a view field missing from schema.graphql then the disagreement is named', () => {
    const edited = sdl.replace(/\n {2}pickedUpAt: String\n/, '\n');
    expect(check(buildSchema(edited))).toEqual(['Delivery.pickedUpAt: in the view, missing from Delivery in schema.graphql']);
  });

  it('given a type or an enum that differs then the disagreement is named', () => {
    const edited = sdl.replace('totalAmount: Int', 'totalAmount: Float').replace(/enum DeliveryStatus \{\n {2}READY\n/, 'enum DeliveryStatus {\n');
    const problems = check(buildSchema(edited));
    expect(problems).toContain('Order.totalAmount: Float in schema.graphql, "integer" in the view');
    expect(problems).toContain('Delivery.status: enum DeliveryStatus is CANCELLED|DELIVERED|PICKED_UP, the view\'s CANCELLED|DELIVERED|PICKED_UP|READY');
  });

  it('given a non-null field the view may lack then the disagreement is named', () => {
    const edited = sdl.replace('  cancelReason: String\n  "The order\'s current dispatch', '  cancelReason: String!\n  "The order\'s current dispatch');
    expect(check(buildSchema(edited))).toEqual(['Order.cancelReason: non-null in schema.graphql, but the view may lack it']);
  });
});
