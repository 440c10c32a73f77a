import { prismaRepository } from '@delivery/command-kit';
import type { Dispatch } from '../domain/dispatch.ts';
import type { Dispatch as DispatchRow, Prisma } from '../generated/prisma/client.ts';

export type DispatchTx = Prisma.TransactionClient;

function toDispatch(row: DispatchRow): Dispatch {
  return {
    dispatchId: row.id,
    orderId: row.orderId,
    pickup: { lat: row.pickupLat, lng: row.pickupLng },
    dropoff: { lat: row.dropoffLat, lng: row.dropoffLng },
    riderId: row.riderId,
    status: row.status,
    cancelReason: row.cancelReason,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toRow(dispatch: Dispatch): Prisma.DispatchCreateInput & { createdAt: Date } {
  return {
    id: dispatch.dispatchId,
    orderId: dispatch.orderId,
    pickupLat: dispatch.pickup.lat,
    pickupLng: dispatch.pickup.lng,
    dropoffLat: dispatch.dropoff.lat,
    dropoffLng: dispatch.dropoff.lng,
    riderId: dispatch.riderId,
    status: dispatch.status,
    cancelReason: dispatch.cancelReason,
    version: dispatch.version,
    createdAt: new Date(dispatch.createdAt),
    updatedAt: new Date(dispatch.updatedAt),
  };
}

export const dispatchRepository = prismaRepository<Dispatch, DispatchTx, DispatchRow, Prisma.DispatchCreateInput & { createdAt: Date }>({
  delegate: (db) => db.dispatch,
  toState: toDispatch,
  toRow,
});
