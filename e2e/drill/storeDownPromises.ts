import type { Platform } from '@delivery/infra';
import { eventually, metricValue, placeOrderBody } from '@delivery/test-support';
import type { CommandRecord } from './commandLoad.ts';

/** Fields only the order view has (read-model viewSchemas.ts): a fallback answer lacks them. */
const ORDER_VIEW_ONLY = ['stage', 'dispatch', 'delivery'];

const get = async (url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, source: response.headers.get('x-read-source'), type: response.headers.get('content-type') ?? '', body };
};

/**
 * The blueprint's promises while the read model's MongoDB is down, checked against the
 * running platform: a cached view still answers from Redis; a REST read that misses the
 * cache answers 200 from the owning write service (`X-Read-Source: fallback`, without the
 * view-only fields); a list answers 503 (no write service lists); GraphQL answers the
 * critical fields from the write service and field errors for the rest; the projection
 * consumer pauses. Returns each broken promise, named.
 */
export async function storeDownPromises(platform: Platform, records: readonly CommandRecord[]): Promise<string[]> {
  const readModel = platform.urls.READ_MODEL_URL ?? '';
  const broken: string[] = [];

  // Projected (and so cached) before the fault: the newest order placed early enough to be in Redis.
  const cachedOrder = records.find((r) => r.step === 'place' && r.aggregate !== undefined)?.aggregate?.id;
  if (!cachedOrder) broken.push('no order was placed before the fault (the drill needs one in the cache)');
  else {
    const hit = await get(`${readModel}/api/v1/orders/${cachedOrder}`);
    if (hit.status !== 200 || hit.source !== 'cache') broken.push(`a cached order answered ${hit.status} from ${hit.source} (expected 200 from the cache)`);
  }

  // Placed now: MongoDB cannot hold its view, so a read misses and the order service answers.
  const placed = await fetch(`${platform.urls.GATEWAY_URL}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(placeOrderBody({ customerId: 'customer-drill-store-down' })),
    signal: AbortSignal.timeout(10_000),
  });
  const { orderId } = (await placed.json()) as { orderId?: string };
  if (placed.status !== 201 || !orderId) return [...broken, `PlaceOrder answered ${placed.status} while MongoDB was down (commands do not need it)`];

  const miss = await get(`${readModel}/api/v1/orders/${orderId}`);
  if (miss.status !== 200 || miss.source !== 'fallback') broken.push(`a missed order read answered ${miss.status} from ${miss.source} (expected 200 from the fallback)`);
  else {
    if (miss.body.status !== 'PLACED') broken.push(`the fallback answered status ${String(miss.body.status)} for a placed order`);
    const present = ORDER_VIEW_ONLY.filter((field) => field in miss.body);
    if (present.length > 0) broken.push(`the fallback answer carries view-only fields: ${present.join(', ')}`);
  }

  // The projection stops where MongoDB failed: paused, nothing committed past what it stored.
  await eventually(async () => metricValue(await (await fetch(`${readModel}/metrics`)).text(), 'read_model_consumer_paused') === 1, {
    timeoutMs: 20_000,
    what: 'the projection consumer to pause',
  }).catch(() => broken.push('the projection consumer did not pause while MongoDB was down'));

  // A list no write service can answer: from the order list index in Redis (a cache hit, when
  // the index is complete) or a 503 problem; never from a store that is down, never a hang.
  const list = await get(`${readModel}/api/v1/orders?limit=10`);
  const fromIndex = list.status === 200 && list.source === 'cache';
  const refused = list.status === 503 && list.type.startsWith('application/problem+json');
  if (!fromIndex && !refused) broken.push(`a list read answered ${list.status} ${list.type} from ${list.source} (expected 200 from the cache's list index or a 503 problem)`);

  const graphql = await fetch(`${readModel}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ order(orderId: "${orderId}") { orderId status stage } }` }),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = (await graphql.json()) as { data?: { order?: { status?: string } | null }; errors?: { path?: (string | number)[] }[] };
  if (answer.data?.order?.status !== 'PLACED') broken.push(`GraphQL answered ${JSON.stringify(answer.data?.order)} for the critical field status`);
  if (!answer.errors?.some((e) => e.path?.join('.') === 'order.stage')) broken.push(`GraphQL gave no field error for the view-only field stage: ${JSON.stringify(answer.errors)}`);
  return broken;
}
