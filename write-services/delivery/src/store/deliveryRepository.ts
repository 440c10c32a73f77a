import type { AggregateRepository } from '@delivery/command-kit';
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

function toRow(delivery: Delivery): Prisma.DeliveryCreateInput {
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

export const deliveryRepository: AggregateRepository<Delivery, DeliveryTx> = {
  async load(db, id) {
    const row = await db.delivery.findUnique({ where: { id } });
    return row ? toDelivery(row) : undefined;
  },
  async insert(tx, delivery) {
    await tx.delivery.create({ data: toRow(delivery) });
  },
  async update(tx, delivery, expectedVersion) {
    const { id: _id, createdAt: _createdAt, ...changes } = toRow(delivery);
    const { count } = await tx.delivery.updateMany({
      where: { id: delivery.deliveryId, version: expectedVersion },
      data: changes,
    });
    return count === 1;
  },
};
