import { type SqlExecutor, sqlRepository } from '@delivery/command-kit';
import type { OrderItem } from '@delivery/contracts';
import type { Order } from '../domain/order.ts';
import { orderTable, type OrderRow } from '../generated/tables.ts';

/** A command's transaction (or the pool, for the query API): the mariadb driver client's. */
export type OrderTx = SqlExecutor;

export const orderRepository = sqlRepository<Order, 'orderId', OrderRow>({
  idField: 'orderId',
  table: orderTable,
  toState: (row) => ({
    customerId: row.customerId,
    storeId: row.storeId,
    items: row.items as OrderItem[],
    totalAmount: row.totalAmount,
    deliveryAddress: { line: row.addressLine, lat: row.addressLat, lng: row.addressLng },
    requestNote: row.requestNote,
    status: row.status,
    cancelReason: row.cancelReason,
  }),
  toRow: (order) => ({
    customerId: order.customerId,
    storeId: order.storeId,
    items: order.items,
    totalAmount: order.totalAmount,
    addressLine: order.deliveryAddress.line,
    addressLat: order.deliveryAddress.lat,
    addressLng: order.deliveryAddress.lng,
    requestNote: order.requestNote,
    status: order.status,
    cancelReason: order.cancelReason,
  }),
});
