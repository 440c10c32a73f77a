import { prismaRepository } from '@delivery/command-kit';
import type { OrderItem } from '@delivery/contracts';
import type { Order } from '../domain/order.ts';
import type { Order as OrderRow, Prisma } from '../generated/prisma/client.ts';

export type OrderTx = Prisma.TransactionClient;

function toOrder(row: OrderRow): Order {
  return {
    orderId: row.id,
    customerId: row.customerId,
    storeId: row.storeId,
    items: row.items as OrderItem[],
    totalAmount: row.totalAmount,
    deliveryAddress: { line: row.addressLine, lat: row.addressLat, lng: row.addressLng },
    requestNote: row.requestNote,
    status: row.status,
    cancelReason: row.cancelReason,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toRow(order: Order): Prisma.OrderCreateInput & { createdAt: Date } {
  return {
    id: order.orderId,
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
    version: order.version,
    createdAt: new Date(order.createdAt),
    updatedAt: new Date(order.updatedAt),
  };
}

export const orderRepository = prismaRepository<Order, OrderTx, OrderRow, Prisma.OrderCreateInput & { createdAt: Date }>({
  delegate: (db) => db.order,
  toState: toOrder,
  toRow,
});
