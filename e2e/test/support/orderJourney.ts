import { randomUUID } from 'node:crypto';
import { type ClientResponse, commandClient, eventually, placeOrderBody } from '@delivery/test-support';

/**
 * The customer journey of architecture.md through the public surfaces: commands to the
 * gateway, queries to the read model's REST GETs and its `/graphql`.
 */
export interface Surfaces {
  gateway: string;
  readModel: string;
}

/** A valid PlaceOrder (21,000 in total) from a customer of its own. */
export const newCustomerOrder = () => placeOrderBody({ customerId: `customer-${randomUUID().slice(0, 8)}` });

export async function command(surfaces: Surfaces, method: string, path: string, body?: unknown): Promise<ClientResponse> {
  const res = await commandClient(surfaces.gateway).send(method, path, body ?? {});
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
    async () => {
      const res = await commandClient(surfaces.readModel).get(path);
      const view = res.body as Record<string, unknown>;
      return res.status === 200 && accept(view) ? view : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `GET ${path} matching` },
  );
}

export const idOf = (res: ClientResponse, field: string): string => {
  const id: unknown = res.body?.[field];
  if (typeof id !== 'string') throw new Error(`answer lacks ${field}: ${JSON.stringify(res.body)}`);
  return id;
};
