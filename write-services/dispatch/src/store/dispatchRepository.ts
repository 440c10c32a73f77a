import { prismaRepository } from '@delivery/command-kit';
import type { Dispatch } from '../domain/dispatch.ts';
import type { Dispatch as DispatchRow, Prisma } from '../generated/prisma/client.ts';

export type DispatchTx = Prisma.TransactionClient;

export const dispatchRepository = prismaRepository<Dispatch, 'dispatchId', DispatchTx, DispatchRow, Prisma.DispatchCreateInput>({
  idField: 'dispatchId',
  delegate: (db) => db.dispatch,
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
