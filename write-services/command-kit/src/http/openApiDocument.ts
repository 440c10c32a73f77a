import { type DomainEvent, SNAPSHOT_BATCH_MAX, snapshotBatch } from '@delivery/contracts';
import { PROBLEM_JSON_SCHEMA, problemResponse, problemResponses } from '@delivery/runtime-kit';
import { z } from 'zod';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command } from '../domain/decider.ts';
import { COMMAND_PROBLEMS } from '../service/commandErrors.ts';
import type { WriteServiceDefinition } from '../service/writeServiceDefinition.ts';
import { REQUEST_PROBLEMS } from './requestParsing.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/**
 * The service's OpenAPI 3.1 document, derived from its command table: the same zod schema
 * that validates a command describes its body here (JSON Schema 2020-12, OpenAPI 3.1's).
 */
export function openApiDocument<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  definition: WriteServiceDefinition<S, C, E, Tx>,
): JsonSchema {
  const { idField, collectionPath } = definition;
  const itemPath = `${collectionPath}/{${idField}}`;
  const idParameter = { name: idField, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const headers = [
    { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 128 } },
    { name: 'X-Request-Id', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } },
  ];
  const ack = {
    type: 'object',
    required: [idField, 'status', 'version'],
    properties: {
      [idField]: { type: 'string', format: 'uuid' },
      status: { type: 'string' },
      version: { type: 'integer', minimum: 1 },
    },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of definition.commands) {
    const path = route.creates ? collectionPath : `${itemPath}${route.action}`;
    const status = route.creates ? '201' : '200';
    (paths[path] ??= {})[route.method] = {
      operationId: route.name,
      summary: route.summary,
      parameters: route.creates ? headers : [idParameter, ...headers],
      requestBody: {
        // Required unless the command has no required field (a missing body is read as `{}`).
        required: !route.body.safeParse({}).success,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      },
      responses: {
        [status]: { description: `${route.name} accepted`, content: { 'application/json': { schema: ack } } },
        // A creating command makes a new id: nothing to be missing.
        ...problemResponses([...REQUEST_PROBLEMS, ...COMMAND_PROBLEMS].filter((code) => !(route.creates && code === 'NOT_FOUND'))),
      },
    };
  }
  (paths[itemPath] ??= {}).get = {
    operationId: `get${definition.aggregateType[0]?.toUpperCase() ?? ''}${definition.aggregateType.slice(1)}`,
    summary: `The ${definition.aggregateType} with its version (query API for the read model's fallback)`,
    parameters: [idParameter],
    responses: {
      '200': { description: 'The aggregate', content: { 'application/json': { schema: jsonSchema(definition.snapshot.schema, 'output') } } },
      '400': problemResponse('Malformed id'),
      '404': problemResponse(`Unknown ${idField}`),
    },
  };
  (paths[collectionPath] ??= {}).get = {
    operationId: `get${definition.aggregateType[0]?.toUpperCase() ?? ''}${definition.aggregateType.slice(1)}Batch`,
    summary: `Several ${definition.aggregateType}s in one call, unknown ids left out (query API for the read model's fallback)`,
    parameters: [
      {
        name: 'ids',
        in: 'query',
        required: true,
        description: `1 to ${SNAPSHOT_BATCH_MAX} comma-separated UUIDs`,
        schema: { type: 'string' },
      },
    ],
    responses: {
      '200': {
        description: 'The aggregates that exist',
        content: { 'application/json': { schema: jsonSchema(snapshotBatch(definition.snapshot.schema), 'output') } },
      },
      '400': problemResponse('Malformed or too many ids'),
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: `${definition.service} service`, version: '1.0.0' },
    paths,
    components: { schemas: { Problem: PROBLEM_JSON_SCHEMA } },
  };
}
