import fc from 'fast-check';
import { commandClient, eventually, type ClientResponse } from '@delivery/test-support';
import { newCustomerOrder, type Surfaces } from './orderJourney.ts';

/**
 * Random command sequences for the property "no impossible state" (architecture.md, "Rules
 * across aggregates"): each order gets a sequence of steps, valid or not, some of them two
 * commands sent together; every command goes through the gateway and any answer is
 * accepted. Afterwards the write services' own states (their query APIs) and the read
 * model's views must satisfy the invariants, once reactions and projections converged.
 */

const RIDERS = ['rider-a', 'rider-b'] as const;

export type Step =
  | { kind: 'acceptOrder' }
  | { kind: 'cancelOrder' }
  | { kind: 'requestDispatch' }
  | { kind: 'acceptDispatch'; rider: 0 | 1 }
  | { kind: 'cancelDispatch' }
  | { kind: 'createDelivery'; rider: 0 | 1 }
  | { kind: 'pickUp' }
  | { kind: 'moveRider' }
  | { kind: 'complete' };

/**
 * One move of a script: the journey's next step (so that scripts reach deliveries and
 * pickups), any step, or the next step together with any other (a race).
 */
export type Move = { next: 0 | 1 } | { alone: Step } | { nextWith: Step; rider: 0 | 1 };

/** The happy path; `rider` picks the rider of the accept and the delivery (a mismatch half the time). */
const JOURNEY = ['acceptOrder', 'requestDispatch', 'acceptDispatch', 'createDelivery', 'pickUp', 'moveRider', 'complete'] as const;

const rider = fc.constantFrom<0 | 1>(0, 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'acceptOrder' as const }),
  fc.constant({ kind: 'cancelOrder' as const }),
  fc.constant({ kind: 'requestDispatch' as const }),
  rider.map((r) => ({ kind: 'acceptDispatch' as const, rider: r })),
  fc.constant({ kind: 'cancelDispatch' as const }),
  rider.map((r) => ({ kind: 'createDelivery' as const, rider: r })),
  fc.constant({ kind: 'pickUp' as const }),
  fc.constant({ kind: 'moveRider' as const }),
  fc.constant({ kind: 'complete' as const }),
);
const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 5, arbitrary: rider.map((r) => ({ next: r })) },
  { weight: 2, arbitrary: step.map((s) => ({ alone: s })) },
  { weight: 2, arbitrary: fc.tuple(step, rider).map(([s, r]) => ({ nextWith: s, rider: r })) },
);
/** Each order's moves; a few orders per run. */
export const orderScripts = (orders: number) => fc.array(fc.array(move, { minLength: 4, maxLength: 14 }), { minLength: orders, maxLength: orders });

function journeyStep(position: number, r: 0 | 1): Step {
  const kind = JOURNEY[Math.min(position, JOURNEY.length - 1)] ?? 'complete';
  return kind === 'acceptDispatch' || kind === 'createDelivery' ? { kind, rider: r } : { kind };
}

/** What the test knows of one order: the ids the platform answered with. */
interface Tracked {
  orderId: string;
  dispatches: string[];
  deliveries: string[];
}

async function run(surfaces: Surfaces, tracked: Tracked, s: Step): Promise<ClientResponse> {
  const api = commandClient(surfaces.gateway);
  const lastDispatch = tracked.dispatches.at(-1) ?? '00000000-0000-4000-8000-00000000000d';
  const lastDelivery = tracked.deliveries.at(-1) ?? '00000000-0000-4000-8000-00000000000e';
  switch (s.kind) {
    case 'acceptOrder':
      return api.send('POST', `/api/v1/orders/${tracked.orderId}/accept`);
    case 'cancelOrder':
      return api.send('POST', `/api/v1/orders/${tracked.orderId}/cancel`, { reason: 'property test' });
    case 'requestDispatch': {
      const answer = await api.send('POST', '/api/v1/dispatches', { orderId: tracked.orderId, pickup: { lat: 37.5, lng: 127 }, dropoff: { lat: 37.51, lng: 127.01 } });
      if (answer.status === 201) tracked.dispatches.push(answer.body.dispatchId as string);
      return answer;
    }
    case 'acceptDispatch':
      return api.send('POST', `/api/v1/dispatches/${lastDispatch}/accept`, { riderId: RIDERS[s.rider] });
    case 'cancelDispatch':
      return api.send('POST', `/api/v1/dispatches/${lastDispatch}/cancel`, { reason: 'property test' });
    case 'createDelivery': {
      const answer = await api.send('POST', '/api/v1/deliveries', { orderId: tracked.orderId, dispatchId: lastDispatch, riderId: RIDERS[s.rider] });
      if (answer.status === 201) tracked.deliveries.push(answer.body.deliveryId as string);
      return answer;
    }
    case 'pickUp':
      return api.send('POST', `/api/v1/deliveries/${lastDelivery}/pickup`);
    case 'moveRider':
      return api.send('PUT', `/api/v1/deliveries/${lastDelivery}/location`, { lat: 37.505, lng: 127.005 });
    case 'complete':
      return api.send('POST', `/api/v1/deliveries/${lastDelivery}/complete`);
  }
}

/** Plays one order's script; every answer must be a clean one (2xx, or a 4xx problem), never a 5xx. */
export async function playOrder(surfaces: Surfaces, script: readonly Move[]): Promise<Tracked> {
  const placed = await commandClient(surfaces.gateway).send('POST', '/api/v1/orders', newCustomerOrder());
  if (placed.status !== 201) throw new Error(`PlaceOrder answered ${placed.status}`);
  const tracked: Tracked = { orderId: placed.body.orderId as string, dispatches: [], deliveries: [] };
  let position = 0;
  for (const m of script) {
    let answers: ClientResponse[];
    if ('alone' in m) answers = [await run(surfaces, tracked, m.alone)];
    else if ('next' in m) answers = [await run(surfaces, tracked, journeyStep(position++, m.next))];
    else answers = await Promise.all([run(surfaces, tracked, journeyStep(position++, m.rider)), run(surfaces, tracked, m.nextWith)]);
    for (const answer of answers) {
      if (answer.status >= 500) throw new Error(`a command answered ${answer.status}: ${answer.text}`);
      if (answer.status >= 400 && !answer.contentType.startsWith('application/problem+json')) throw new Error(`a refusal without problem+json: ${answer.text}`);
    }
  }
  return tracked;
}

interface Owned {
  order: { status: string; version: number };
  dispatches: { dispatchId: string; status: string; riderId: string | null }[];
  deliveries: { deliveryId: string; dispatchId: string; status: string; riderId: string }[];
}

async function ownersState(owners: { order: string; dispatch: string; delivery: string }, tracked: Tracked): Promise<Owned> {
  const get = async (base: string, path: string) => (await commandClient(base).get(path)).body as Record<string, unknown>;
  return {
    order: (await get(owners.order, `/api/v1/orders/${tracked.orderId}`)) as Owned['order'],
    dispatches: (await Promise.all(tracked.dispatches.map((id) => get(owners.dispatch, `/api/v1/dispatches/${id}`)))) as Owned['dispatches'],
    deliveries: (await Promise.all(tracked.deliveries.map((id) => get(owners.delivery, `/api/v1/deliveries/${id}`)))) as Owned['deliveries'],
  };
}

/** The stage rule of architecture.md, written again from the text as the test's oracle. */
export function expectedStage(owned: Owned): string {
  const live = owned.deliveries.filter((d) => d.status !== 'CANCELLED');
  if (owned.order.status === 'CANCELLED') return 'CANCELLED';
  if (live.some((d) => d.status === 'DELIVERED')) return 'DELIVERED';
  if (live.some((d) => d.status === 'PICKED_UP')) return 'PICKED_UP';
  if (owned.dispatches.some((d) => d.status === 'ACCEPTED') || live.length > 0) return 'RIDER_ASSIGNED';
  if (owned.order.status === 'ACCEPTED') return 'ACCEPTED';
  return 'PLACED';
}

/** The invariants over the owners' states; a list of what is violated (empty when none). */
export function violations(owned: Owned): string[] {
  const found: string[] = [];
  const open = owned.dispatches.filter((d) => d.status === 'REQUESTED' || d.status === 'ACCEPTED');
  const cancelled = owned.order.status === 'CANCELLED';
  if (cancelled && open.length > 0) found.push(`cancelled order with open dispatch ${open.map((d) => d.dispatchId).join(',')}`);
  if (cancelled && owned.deliveries.some((d) => d.status === 'READY')) found.push('cancelled order with a READY delivery');
  if (cancelled && owned.deliveries.some((d) => d.status === 'PICKED_UP' || d.status === 'DELIVERED')) found.push('cancelled order with a delivery under way');
  if (open.length > 1) found.push(`${open.length} open dispatches`);
  for (const dispatch of owned.dispatches) {
    const its = owned.deliveries.filter((d) => d.dispatchId === dispatch.dispatchId);
    if (its.length > 1) found.push(`${its.length} deliveries on dispatch ${dispatch.dispatchId}`);
    for (const d of its) if (d.riderId !== dispatch.riderId) found.push(`delivery ${d.deliveryId} by ${d.riderId}, dispatch rider ${dispatch.riderId}`);
  }
  if (owned.deliveries.some((d) => !owned.dispatches.some((p) => p.dispatchId === d.dispatchId))) found.push('a delivery on a dispatch of another order');
  return found;
}

/**
 * After the commands: waits (bounded) until reactions settled (no invariant violated) and the
 * order's view shows the owners' versions, then checks the view's stage against the oracle.
 * Returns the violations still standing and the stage mismatch, if any.
 */
export async function converged(surfaces: Surfaces, owners: { order: string; dispatch: string; delivery: string }, tracked: Tracked): Promise<string[]> {
  let last: string[] = [];
  try {
    await eventually(
      async () => {
        const owned = await ownersState(owners, tracked);
        const view = (await commandClient(surfaces.readModel).get(`/api/v1/orders/${tracked.orderId}`)).body as Record<string, unknown>;
        const stage = expectedStage(owned);
        last = [...violations(owned), ...(view.stage === stage && view.version === owned.order.version ? [] : [`view stage ${String(view.stage)} v${String(view.version)}, owners say ${stage} v${owned.order.version}`])];
        return last.length === 0;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `order ${tracked.orderId} to converge` },
    );
  } catch {
    return last;
  }
  return [];
}
