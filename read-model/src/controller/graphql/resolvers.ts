import type DataLoader from 'dataloader';
import { Uuid } from '@delivery/contracts';
import { DeliveryView, DispatchView, OrderView } from '../../handler/index.ts';
import { OrderListParams, type Found } from '../../service/index.ts';
import type { DeliveryResolvers, DispatchResolvers, OrderResolvers, QueryResolvers, Resolvers } from '../../generated/graphql.ts';
import { validationProblem } from '../validationProblem.ts';
import { viewFieldResolvers, viewUnavailable } from './viewFieldResolvers.ts';

/**
 * The schema's resolvers, typed by the generated `Resolvers`. They only translate: ids and
 * arguments are validated here, every read goes through the per-request loaders (and so the
 * service layer's read path). A view type's fields are resolved from its view schema
 * (viewFieldResolvers.ts); `Required<…>` makes a field added to schema.graphql fail the
 * build until the view has it, and viewSchemaAgreement.unit.spec.ts holds the two together.
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

// Critical fields (answered by the owning write service when the read stores are down): the
// id and the order's status, the dispatch's status, the delivery's location.
const Order: Required<OrderResolvers> = {
  ...viewFieldResolvers<OrderView>('Order', OrderView, ['orderId', 'status']),
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

const Dispatch: Required<DispatchResolvers> = viewFieldResolvers<DispatchView>('Dispatch', DispatchView, ['dispatchId', 'status']);

const Delivery: Required<DeliveryResolvers> = viewFieldResolvers<DeliveryView>('Delivery', DeliveryView, ['deliveryId', 'location']);

export const resolvers: Resolvers = { Query, Order, Dispatch, Delivery };
