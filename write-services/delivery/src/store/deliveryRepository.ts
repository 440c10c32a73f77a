import { type SqlExecutor, sqlRepository } from '@delivery/command-kit';
import type { Delivery } from '../domain/delivery.ts';
import { deliveryTable, type DeliveryRow } from '../generated/tables.ts';

/** A command's transaction (or the pool, for the query API): the mariadb driver client's. */
export type DeliveryTx = SqlExecutor;

export const deliveryRepository = sqlRepository<Delivery, 'deliveryId', DeliveryRow>({
  idField: 'deliveryId',
  table: deliveryTable,
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
