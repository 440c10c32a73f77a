import { randomUUID } from 'node:crypto';
import { eventually } from './eventually.ts';
import { type JsonResponse, sendJson } from './client.ts';

/**
 * The customer journey of architecture.md through the public surfaces: commands to the
 * gateway, queries to the read model's REST GETs and its `/graphql`.
 */
export interface Surfaces {
  gateway: string;
  readModel: string;
}

export const placeOrderBody = () => ({
  customerId: `customer-${randomUUID().slice(0, 8)}`,
  storeId: 'store-42',
  items: [
    { menuId: 'bibimbap', name: 'Bibimbap', quantity: 2, unitPrice: 9500 },
    { menuId: 'kimchi', name: 'Kimchi', quantity: 1, unitPrice: 3000 },
  ],
  deliveryAddress: { line: '12 Teheran-ro, Gangnam-gu', lat: 37.5, lng: 127.03 },
  requestNote: 'leave at the door',
});

export async function command(surfaces: Surfaces, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const res = await sendJson(surfaces.gateway, method, path, body ?? {});
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

/** Waits until the read model's view satisfies `accept`, returning it. */
export function viewEventually(
  surfaces: Surfaces,
  path: string,
  accept: (view: Record<string, unknown>) => boolean,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  return eventually(
    `GET ${path} matching`,
    async () => {
      const res = await sendJson(surfaces.readModel, 'GET', path);
      return res.status === 200 && accept(res.body) ? res.body : undefined;
    },
    timeoutMs,
  );
}

export const idOf = (res: JsonResponse, field: string): string => {
  const id = res.body[field];
  if (typeof id !== 'string') throw new Error(`answer lacks ${field}: ${JSON.stringify(res.body)}`);
  return id;
};
