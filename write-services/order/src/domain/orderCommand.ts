import type { DeliveryAddress, OrderItem } from '@delivery/contracts';

export interface PlaceOrder {
  type: 'PlaceOrder';
  customerId: string;
  storeId: string;
  items: OrderItem[];
  deliveryAddress: DeliveryAddress;
  requestNote: string | null;
}

export interface AcceptOrder {
  type: 'AcceptOrder';
}

export interface UpdateOrder {
  type: 'UpdateOrder';
  requestNote?: string | null;
  deliveryAddress?: DeliveryAddress;
}

export interface CancelOrder {
  type: 'CancelOrder';
  reason: string;
}

export type OrderCommand = PlaceOrder | AcceptOrder | UpdateOrder | CancelOrder;
