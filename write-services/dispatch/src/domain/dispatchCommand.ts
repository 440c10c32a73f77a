import type { GeoPoint } from '@delivery/contracts';

export interface RequestDispatch {
  type: 'RequestDispatch';
  orderId: string;
  pickup: GeoPoint;
  dropoff: GeoPoint;
}

export interface AcceptDispatch {
  type: 'AcceptDispatch';
  riderId: string;
}

export interface CancelDispatch {
  type: 'CancelDispatch';
  reason: string | null;
}

export type DispatchCommand = RequestDispatch | AcceptDispatch | CancelDispatch;
