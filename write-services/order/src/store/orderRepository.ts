import { prismaRepository } from '@delivery/command-kit';
import type { OrderItem } from '@delivery/contracts';
import type { Order } from '../domain/order.ts';
import type { Order as OrderRow, Prisma } from '../generated/prisma/client.ts';

export type OrderTx = Prisma.TransactionClient;

export const orderRepository = prismaRepository<Order, 'orderId', OrderTx, OrderRow, Prisma.OrderCreateInput>({
  idField: 'orderId',
  delegate: (db) => db.order,
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
