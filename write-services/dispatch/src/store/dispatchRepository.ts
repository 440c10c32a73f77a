import { type SqlExecutor, sqlRepository } from '@delivery/command-kit';
import type { Dispatch } from '../domain/dispatch.ts';
import { dispatchTable, type DispatchRow } from '../generated/tables.ts';

/** A command's transaction (or the pool, for the query API): the mariadb driver client's. */
export type DispatchTx = SqlExecutor;

export const dispatchRepository = sqlRepository<Dispatch, 'dispatchId', DispatchRow>({
  idField: 'dispatchId',
  table: dispatchTable,
  toState: (row) => ({
    orderId: row.orderId,
    pickup: { lat: row.pickupLat, lng: row.pickupLng },
    dropoff: { lat: row.dropoffLat, lng: row.dropoffLng },
    riderId: row.riderId,
    status: row.status,
    cancelReason: row.cancelReason,
  }),
  toRow: (dispatch) => ({
    orderId: dispatch.orderId,
    pickupLat: dispatch.pickup.lat,
    pickupLng: dispatch.pickup.lng,
    dropoffLat: dispatch.dropoff.lat,
    dropoffLng: dispatch.dropoff.lng,
    riderId: dispatch.riderId,
    status: dispatch.status,
    cancelReason: dispatch.cancelReason,
  }),
});
