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

export type DeliveryCommand = CreateDelivery | PickUpDelivery | UpdateDeliveryLocation | CompleteDelivery;
