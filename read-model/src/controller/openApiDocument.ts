import { PROBLEM_JSON_SCHEMA, problemResponse } from '@delivery/runtime-kit';
import { z } from 'zod';
import { DeliveryView, DispatchView, OrderPage, OrderView } from '../handler/index.ts';
import { OrderListParams } from '../service/index.ts';

/**
 * The OpenAPI 3.1 document, derived from the same zod schemas the service uses (built once
 * at startup). OpenAPI 3.1 schemas are JSON Schema 2020-12, which z.toJSONSchema emits.
 */
const schema = (type: z.ZodType) => z.toJSONSchema(type, { target: 'draft-2020-12', unrepresentable: 'any', io: 'output' });

const readSource = {
  'X-Read-Source': {
    description: 'Which source answered: cache (Redis), store (MongoDB) or fallback (the owning write service).',
    schema: { type: 'string', enum: ['cache', 'store', 'fallback'] },
  },
};

const byId = (name: string, param: string, schemaName: string, critical: string) => ({
  get: {
    operationId: `get${schemaName.replace('View', '')}`,
    summary: `One ${name} view`,
    description: `Redis, then MongoDB; when both are down (or the view is not projected yet), the ${name}'s write service (its ${critical}), answered with X-Read-Source: fallback and without the fields only the view has.`,
    parameters: [{ name: param, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
    responses: {
      '200': { description: `The ${name}`, headers: readSource, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` } } } },
      '400': problemResponse('Malformed id'),
      '404': problemResponse('Unknown to the views and to the write service'),
      '503': problemResponse('Views and write service unavailable (Retry-After when the circuit is open)'),
    },
  },
});

const listParameters = Object.entries((schema(OrderListParams) as { properties: Record<string, object> }).properties).map(([name, s]) => ({
  name,
  in: 'query',
  required: false,
  schema: s,
}));

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Read model service',
      version: '1.0.0',
      description: 'Eventually consistent views of orders, dispatches and deliveries (docs/read-model.md).',
    },
    paths: {
      '/api/v1/orders': {
        get: {
          operationId: 'listOrders',
          summary: 'Orders, newest first, by customer and/or stage (keyset pagination)',
          parameters: listParameters,
          responses: {
            '200': { description: 'A page', headers: readSource, content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderPage' } } } },
            '400': problemResponse('Invalid parameter or cursor'),
            '503': problemResponse('The view store is unavailable (a list has no fallback)'),
          },
        },
      },
      '/api/v1/orders/{orderId}': byId('order', 'orderId', 'OrderView', 'status'),
      '/api/v1/dispatches/{dispatchId}': byId('dispatch', 'dispatchId', 'DispatchView', 'status'),
      '/api/v1/deliveries/{deliveryId}': byId('delivery', 'deliveryId', 'DeliveryView', 'location'),
    },
    components: {
      schemas: {
        OrderView: schema(OrderView),
        DispatchView: schema(DispatchView),
        DeliveryView: schema(DeliveryView),
        OrderPage: { ...schema(OrderPage), properties: { items: { type: 'array', items: { $ref: '#/components/schemas/OrderView' } }, nextCursor: { type: ['string', 'null'] } } },
        Problem: PROBLEM_JSON_SCHEMA,
      },
    },
  };
}
