import { deciderSpecification } from '@delivery/test-support/jest';
import type { EventDraft, OrderEvent } from '@delivery/contracts';
import { describe, expect, it } from '@jest/globals';
import type { OrderCommand } from '../src/domain/orderCommand.ts';
import { orderDecider } from '../src/domain/orderDecider.ts';
import { ORDER_TRANSITIONS } from '../src/domain/orderTransitions.ts';

const spec = deciderSpecification(orderDecider, 'order');

const address = { line: '1 Sejong-daero, Seoul', lat: 37.5665, lng: 126.978 };
const newAddress = { line: '2 Teheran-ro, Seoul', lat: 37.5, lng: 127.03 };
const items = [
  { menuId: 'm-1', name: 'Bibimbap', quantity: 2, unitPrice: 9000 },
  { menuId: 'm-2', name: 'Kimchi', quantity: 1, unitPrice: 3000 },
];

const placeOrder: OrderCommand = {
  type: 'PlaceOrder',
  customerId: 'customer-1',
  storeId: 'store-1',
  items,
  deliveryAddress: address,
  requestNote: 'no onions',
};
const acceptOrder: OrderCommand = { type: 'AcceptOrder' };
const updateOrder: OrderCommand = { type: 'UpdateOrder', requestNote: 'ring twice', deliveryAddress: newAddress };
const cancelOrder: OrderCommand = { type: 'CancelOrder', reason: 'customer changed their mind' };

const orderPlaced: EventDraft<OrderEvent> = {
  eventType: 'OrderPlaced',
  payload: {
    customerId: 'customer-1',
    storeId: 'store-1',
    items,
    totalAmount: 21_000,
    deliveryAddress: address,
    requestNote: 'no onions',
    status: 'PLACED',
  },
};
const orderAccepted: EventDraft<OrderEvent> = { eventType: 'OrderAccepted', payload: { status: 'ACCEPTED' } };
const orderUpdated: EventDraft<OrderEvent> = {
  eventType: 'OrderUpdated',
  payload: { requestNote: 'ring twice', deliveryAddress: newAddress },
};
const orderCancelled: EventDraft<OrderEvent> = {
  eventType: 'OrderCancelled',
  payload: { status: 'CANCELLED', reason: 'customer changed their mind' },
};

describe('order decider', () => {
  describe('no order yet', () => {
    it('given nothing when PlaceOrder then OrderPlaced with the total of its items', () => {
      spec.given([]).when(placeOrder).then([orderPlaced]);
    });
    it('given nothing when PlaceOrder then the order is PLACED at version 1', () => {
      spec.given([]).when(placeOrder).thenState({ status: 'PLACED', version: 1, totalAmount: 21_000, cancelReason: null });
    });
    it('given nothing when AcceptOrder then not found', () => {
      spec.given([]).when(acceptOrder).thenThrows('NOT_FOUND');
    });
    it('given nothing when UpdateOrder then not found', () => {
      spec.given([]).when(updateOrder).thenThrows('NOT_FOUND');
    });
    it('given nothing when CancelOrder then not found', () => {
      spec.given([]).when(cancelOrder).thenThrows('NOT_FOUND');
    });
  });

  describe('PLACED', () => {
    it('given OrderPlaced when AcceptOrder then OrderAccepted', () => {
      spec.given([orderPlaced]).when(acceptOrder).then([orderAccepted]);
    });
    it('given OrderPlaced when AcceptOrder then the order is ACCEPTED at version 2', () => {
      spec.given([orderPlaced]).when(acceptOrder).thenState({ status: 'ACCEPTED', version: 2 });
    });
    it('given OrderPlaced when UpdateOrder then OrderUpdated', () => {
      spec.given([orderPlaced]).when(updateOrder).then([orderUpdated]);
    });
    it('given OrderPlaced when UpdateOrder then the note and address change and it stays PLACED', () => {
      spec
        .given([orderPlaced])
        .when(updateOrder)
        .thenState({ status: 'PLACED', version: 2, requestNote: 'ring twice', deliveryAddress: newAddress });
    });
    it('given OrderPlaced when UpdateOrder with only a note then OrderUpdated carries only the note', () => {
      spec
        .given([orderPlaced])
        .when({ type: 'UpdateOrder', requestNote: null })
        .then([{ eventType: 'OrderUpdated', payload: { requestNote: null } }]);
    });
    it('given OrderPlaced when CancelOrder then OrderCancelled', () => {
      spec.given([orderPlaced]).when(cancelOrder).then([orderCancelled]);
    });
    it('given OrderPlaced when PlaceOrder then invalid transition', () => {
      spec.given([orderPlaced]).when(placeOrder).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('ACCEPTED', () => {
    it('given OrderAccepted when CancelOrder then OrderCancelled', () => {
      spec.given([orderPlaced, orderAccepted]).when(cancelOrder).then([orderCancelled]);
    });
    it('given OrderAccepted when CancelOrder then the order is CANCELLED with its reason', () => {
      spec
        .given([orderPlaced, orderAccepted])
        .when(cancelOrder)
        .thenState({ status: 'CANCELLED', version: 3, cancelReason: 'customer changed their mind' });
    });
    it('given OrderAccepted when AcceptOrder then invalid transition', () => {
      spec.given([orderPlaced, orderAccepted]).when(acceptOrder).thenThrows('INVALID_TRANSITION');
    });
    it('given OrderAccepted when UpdateOrder then invalid transition', () => {
      spec.given([orderPlaced, orderAccepted]).when(updateOrder).thenThrows('INVALID_TRANSITION');
    });
    it('given OrderAccepted when PlaceOrder then invalid transition', () => {
      spec.given([orderPlaced, orderAccepted]).when(placeOrder).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('CANCELLED', () => {
    for (const command of [placeOrder, acceptOrder, updateOrder, cancelOrder]) {
      it(`given OrderCancelled when ${command.type} then invalid transition`, () => {
        spec.given([orderPlaced, orderCancelled]).when(command).thenThrows('INVALID_TRANSITION');
      });
    }
  });

  it('the transition table covers every order command', () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual(['AcceptOrder', 'CancelOrder', 'PlaceOrder', 'UpdateOrder']);
  });
});
