import { prismaRepository } from '@delivery/command-kit';
import type { Delivery } from '../domain/delivery.ts';
import type { Delivery as DeliveryRow, Prisma } from '../generated/prisma/client.ts';

export type DeliveryTx = Prisma.TransactionClient;

export const deliveryRepository = prismaRepository<Delivery, 'deliveryId', DeliveryTx, DeliveryRow, Prisma.DeliveryCreateInput>({
  idField: 'deliveryId',
  delegate: (db) => db.delivery,
  toState: (row) => {
    const { locationLat: lat, locationLng: lng, locationUpdatedAt: at } = row;
    return {
      orderId: row.orderId,
      dispatchId: row.dispatchId,
      riderId: row.riderId,
      status: row.status,
      location: lat === null || lng === null || at === null ? null : { lat, lng, updatedAt: at.toISOString() },
      cancelReason: row.cancelReason,
    };
  },
  toRow: (delivery) => ({
    orderId: delivery.orderId,
    dispatchId: delivery.dispatchId,
    riderId: delivery.riderId,
    status: delivery.status,
    locationLat: delivery.location?.lat ?? null,
    locationLng: delivery.location?.lng ?? null,
    locationUpdatedAt: delivery.location ? new Date(delivery.location.updatedAt) : null,
    cancelReason: delivery.cancelReason,
  }),
});
