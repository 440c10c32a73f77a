export interface CreateDelivery {
  type: 'CreateDelivery';
  orderId: string;
  dispatchId: string;
  riderId: string;
}

export interface PickUpDelivery {
  type: 'PickUpDelivery';
}

export interface UpdateDeliveryLocation {
  type: 'UpdateDeliveryLocation';
  lat: number;
  lng: number;
}

export interface CompleteDelivery {
  type: 'CompleteDelivery';
}

/** A platform reaction (its order or dispatch was cancelled); never a public route. */
export interface CancelDelivery {
  type: 'CancelDelivery';
  reason: string;
  cause: 'ORDER_CANCELLED' | 'DISPATCH_CANCELLED';
}

export type DeliveryCommand = CreateDelivery | PickUpDelivery | UpdateDeliveryLocation | CompleteDelivery | CancelDelivery;
