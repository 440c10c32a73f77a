import { prismaRepository } from '@delivery/command-kit';
import type { Delivery } from '../domain/delivery.ts';
import type { Delivery as DeliveryRow, Prisma } from '../generated/prisma/client.ts';

export type DeliveryTx = Prisma.TransactionClient;

function toDelivery(row: DeliveryRow): Delivery {
  const { locationLat: lat, locationLng: lng, locationUpdatedAt: at } = row;
  return {
    deliveryId: row.id,
    orderId: row.orderId,
    dispatchId: row.dispatchId,
    riderId: row.riderId,
    status: row.status,
    location: lat === null || lng === null || at === null ? null : { lat, lng, updatedAt: at.toISOString() },
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toRow(delivery: Delivery): Prisma.DeliveryCreateInput & { createdAt: Date } {
  return {
    id: delivery.deliveryId,
    orderId: delivery.orderId,
    dispatchId: delivery.dispatchId,
    riderId: delivery.riderId,
    status: delivery.status,
    locationLat: delivery.location?.lat ?? null,
    locationLng: delivery.location?.lng ?? null,
    locationUpdatedAt: delivery.location ? new Date(delivery.location.updatedAt) : null,
    version: delivery.version,
    createdAt: new Date(delivery.createdAt),
    updatedAt: new Date(delivery.updatedAt),
  };
}

export const deliveryRepository = prismaRepository<Delivery, DeliveryTx, DeliveryRow, Prisma.DeliveryCreateInput & { createdAt: Date }>({
  delegate: (db) => db.delivery,
  toState: toDelivery,
  toRow,
});
