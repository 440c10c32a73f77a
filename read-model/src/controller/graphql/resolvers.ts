import type DataLoader from 'dataloader';
import { Uuid } from '@delivery/contracts';
import type { DeliveryView, DispatchView, OrderView } from '../../handler/index.ts';
import { OrderListParams, type Found } from '../../service/index.ts';
import type { DeliveryResolvers, DispatchResolvers, OrderResolvers, QueryResolvers, Resolvers } from '../../generated/graphql.ts';
import { validationProblem } from '../validationProblem.ts';
import { viewFields, viewUnavailable } from './viewParents.ts';

/**
 * The schema's resolvers, typed by the generated `Resolvers`. They only translate: ids and
 * arguments are validated here, every read goes through the per-request loaders (and so the
 * service layer's read path), and a fallback parent answers only its critical field.
 * Each object type lists every field (`Required<…>`), so a field added to schema.graphql
 * fails the build until it says where its value comes from.
 */

async function byId<V>(loader: DataLoader<string, Found<V> | null>, argument: string, id: string): Promise<Found<V> | null> {
  const parsed = Uuid.safeParse(id);
  if (!parsed.success) throw validationProblem(parsed.error, argument);
  return loader.load(parsed.data);
}

const Query: Required<QueryResolvers> = {
  order: (_root, { orderId }, { loaders }) => byId(loaders.orders, 'orderId', orderId),
  dispatch: (_root, { dispatchId }, { loaders }) => byId(loaders.dispatches, 'dispatchId', dispatchId),
  delivery: (_root, { deliveryId }, { loaders }) => byId(loaders.deliveries, 'deliveryId', deliveryId),
  orders: async (_root, args, { reader }) => {
    // An explicit null means "not given", like an absent query parameter in REST.
    const params = OrderListParams.safeParse(Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null)));
    if (!params.success) throw validationProblem(params.error);
    const page = await reader.listOrders(params.data);
    return { items: page.items.map((view) => ({ view, source: page.source })), nextCursor: page.nextCursor };
  },
};

const order = viewFields<OrderView>('Order');
const Order: Required<OrderResolvers> = {
  orderId: ({ view }) => view.orderId,
  status: ({ view }) => view.status, // critical
  stage: order('stage'),
  customerId: order('customerId'),
  storeId: order('storeId'),
  items: order('items'),
  totalAmount: order('totalAmount'),
  deliveryAddress: order('deliveryAddress'),
  requestNote: order('requestNote'),
  cancelReason: order('cancelReason'),
  version: order('version'),
  createdAt: order('createdAt'),
  updatedAt: order('updatedAt'),
  // The current dispatch and delivery: their own views, batched across the whole response.
  dispatch: ({ view, source }, _args, { loaders }) => {
    if (source === 'fallback') throw viewUnavailable('Order', 'dispatch');
    return view.dispatch ? loaders.dispatches.load(view.dispatch.dispatchId) : null;
  },
  delivery: ({ view, source }, _args, { loaders }) => {
    if (source === 'fallback') throw viewUnavailable('Order', 'delivery');
    return view.delivery ? loaders.deliveries.load(view.delivery.deliveryId) : null;
  },
};

const dispatch = viewFields<DispatchView>('Dispatch');
const Dispatch: Required<DispatchResolvers> = {
  dispatchId: ({ view }) => view.dispatchId,
  status: ({ view }) => view.status, // critical
  orderId: dispatch('orderId'),
  riderId: dispatch('riderId'),
  pickup: dispatch('pickup'),
  dropoff: dispatch('dropoff'),
  cancelReason: dispatch('cancelReason'),
  version: dispatch('version'),
  createdAt: dispatch('createdAt'),
  updatedAt: dispatch('updatedAt'),
};

const delivery = viewFields<DeliveryView>('Delivery');
const Delivery: Required<DeliveryResolvers> = {
  deliveryId: ({ view }) => view.deliveryId,
  location: ({ view }) => view.location, // critical
  orderId: delivery('orderId'),
  dispatchId: delivery('dispatchId'),
  status: delivery('status'),
  riderId: delivery('riderId'),
  pickedUpAt: delivery('pickedUpAt'),
  deliveredAt: delivery('deliveredAt'),
  version: delivery('version'),
  createdAt: delivery('createdAt'),
  updatedAt: delivery('updatedAt'),
};

export const resolvers: Resolvers = { Query, Order, Dispatch, Delivery };
