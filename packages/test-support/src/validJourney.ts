import type { ClientResponse, CommandClient } from './commandClient.ts';
import { placeOrderBody } from './placeOrderBody.ts';

/** Where each aggregate's commands go: the three write services, or one gateway for all three. */
export interface CommandApis {
  order: CommandClient;
  dispatch: CommandClient;
  delivery: CommandClient;
}

export const sameApiForAll = (api: CommandClient): CommandApis => ({ order: api, dispatch: api, delivery: api });

async function expectStatus(response: Promise<ClientResponse>, status: number, what: string): Promise<ClientResponse> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

/**
 * The steps of a valid journey, each checked, for tests that need an aggregate in a given
 * state now that the rules across aggregates refuse shortcuts (a dispatch needs an ACCEPTED
 * order, a delivery an ACCEPTED dispatch by its rider).
 */
export const validJourney = {
  async acceptedOrder(apis: CommandApis): Promise<string> {
    const placed = await expectStatus(apis.order.send('POST', '/api/v1/orders', placeOrderBody()), 201, 'PlaceOrder');
    const orderId = placed.body.orderId as string;
    await expectStatus(apis.order.send('POST', `/api/v1/orders/${orderId}/accept`), 200, 'AcceptOrder');
    return orderId;
  },

  async requestedDispatch(apis: CommandApis, orderId?: string): Promise<{ orderId: string; dispatchId: string }> {
    const order = orderId ?? (await validJourney.acceptedOrder(apis));
    const body = { orderId: order, pickup: { lat: 37.56, lng: 126.97 }, dropoff: { lat: 37.5, lng: 127.03 } };
    const requested = await expectStatus(apis.dispatch.send('POST', '/api/v1/dispatches', body), 201, 'RequestDispatch');
    return { orderId: order, dispatchId: requested.body.dispatchId as string };
  },

  async acceptedDispatch(apis: CommandApis, riderId = 'rider-1'): Promise<{ orderId: string; dispatchId: string; riderId: string }> {
    const { orderId, dispatchId } = await validJourney.requestedDispatch(apis);
    await expectStatus(apis.dispatch.send('POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId }), 200, 'AcceptDispatch');
    return { orderId, dispatchId, riderId };
  },

  async readyDelivery(apis: CommandApis, riderId = 'rider-1'): Promise<{ orderId: string; dispatchId: string; riderId: string; deliveryId: string }> {
    const dispatch = await validJourney.acceptedDispatch(apis, riderId);
    const created = await expectStatus(apis.delivery.send('POST', '/api/v1/deliveries', dispatch), 201, 'CreateDelivery');
    return { ...dispatch, deliveryId: created.body.deliveryId as string };
  },
};
