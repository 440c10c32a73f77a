import { deciderSpecification } from '@delivery/test-support/jest';
import type { DeliveryEvent, EventDraft } from '@delivery/contracts';
import { describe, expect, it } from '@jest/globals';
import type { DeliveryCommand } from '../src/domain/deliveryCommand.ts';
import { deliveryDecider } from '../src/domain/deliveryDecider.ts';
import { DELIVERY_TRANSITIONS } from '../src/domain/deliveryTransitions.ts';

const spec = deciderSpecification(deliveryDecider, 'delivery');

const orderId = '4b0f5c8e-3f1a-4c39-9a53-0d6f4e3b2a10';
const dispatchId = '9d7c1e2a-6b5f-4a8e-8c3d-2f1e0a9b8c7d';
const ref = { orderId, dispatchId };

const createDelivery: DeliveryCommand = { type: 'CreateDelivery', orderId, dispatchId, riderId: 'rider-7' };
const pickUp: DeliveryCommand = { type: 'PickUpDelivery' };
const moveTo: DeliveryCommand = { type: 'UpdateDeliveryLocation', lat: 37.51, lng: 127.01 };
const complete: DeliveryCommand = { type: 'CompleteDelivery' };
const cancel: DeliveryCommand = { type: 'CancelDelivery', reason: 'order cancelled', cause: 'ORDER_CANCELLED' };

const deliveryCreated: EventDraft<DeliveryEvent> = {
  eventType: 'DeliveryCreated',
  payload: { ...ref, riderId: 'rider-7', status: 'READY' },
};
const deliveryPickedUp: EventDraft<DeliveryEvent> = { eventType: 'DeliveryPickedUp', payload: { ...ref, status: 'PICKED_UP' } };
const locationUpdated: EventDraft<DeliveryEvent> = {
  eventType: 'DeliveryLocationUpdated',
  payload: { ...ref, lat: 37.51, lng: 127.01 },
};
const deliveryCompleted: EventDraft<DeliveryEvent> = {
  eventType: 'DeliveryCompleted',
  payload: { ...ref, status: 'DELIVERED' },
};
const deliveryCancelled: EventDraft<DeliveryEvent> = {
  eventType: 'DeliveryCancelled',
  payload: { ...ref, status: 'CANCELLED', reason: 'order cancelled', cause: 'ORDER_CANCELLED' },
};

describe('delivery decider', () => {
  describe('no delivery yet', () => {
    it('given nothing when CreateDelivery then DeliveryCreated', () => {
      spec.given([]).when(createDelivery).then([deliveryCreated]);
    });
    it('given nothing when CreateDelivery then the delivery is READY without a location at version 1', () => {
      spec.given([]).when(createDelivery).thenState({ status: 'READY', location: null, version: 1, riderId: 'rider-7' });
    });
    for (const command of [pickUp, moveTo, complete, cancel]) {
      it(`given nothing when ${command.type} then not found`, () => {
        spec.given([]).when(command).thenThrows('NOT_FOUND');
      });
    }
  });

  describe('READY', () => {
    it('given DeliveryCreated when PickUpDelivery then DeliveryPickedUp carrying orderId and dispatchId', () => {
      spec.given([deliveryCreated]).when(pickUp).then([deliveryPickedUp]);
    });
    it('given DeliveryCreated when UpdateDeliveryLocation then DeliveryLocationUpdated', () => {
      spec.given([deliveryCreated]).when(moveTo).then([locationUpdated]);
    });
    it('given DeliveryCreated when UpdateDeliveryLocation then the location is set and it stays READY', () => {
      spec
        .given([deliveryCreated])
        .when(moveTo)
        .thenState({
          status: 'READY',
          version: 2,
          location: { lat: 37.51, lng: 127.01, updatedAt: '2026-11-27T10:00:00.000Z' },
        });
    });
    it('given DeliveryCreated when CompleteDelivery then invalid transition', () => {
      spec.given([deliveryCreated]).when(complete).thenThrows('INVALID_TRANSITION');
    });
    it('given DeliveryCreated when CreateDelivery then invalid transition', () => {
      spec.given([deliveryCreated]).when(createDelivery).thenThrows('INVALID_TRANSITION');
    });
    it('given DeliveryCreated when CancelDelivery then DeliveryCancelled carrying orderId, dispatchId and the reason', () => {
      spec.given([deliveryCreated]).when(cancel).then([deliveryCancelled]);
    });
    it('given DeliveryCreated when CancelDelivery then the delivery is CANCELLED with its reason', () => {
      spec.given([deliveryCreated]).when(cancel).thenState({ status: 'CANCELLED', cancelReason: 'order cancelled', version: 2 });
    });
    it('given DeliveryLocationUpdated while READY when CancelDelivery then DeliveryCancelled, the last location kept', () => {
      spec
        .given([deliveryCreated, locationUpdated])
        .when(cancel)
        .thenState({ status: 'CANCELLED', version: 3, location: { lat: 37.51, lng: 127.01, updatedAt: '2026-11-27T10:00:00.000Z' } });
    });
  });

  describe('PICKED_UP', () => {
    const history = [deliveryCreated, deliveryPickedUp];
    it('given DeliveryPickedUp when UpdateDeliveryLocation then DeliveryLocationUpdated', () => {
      spec.given(history).when(moveTo).then([locationUpdated]);
    });
    it('given DeliveryPickedUp when UpdateDeliveryLocation then it stays PICKED_UP', () => {
      spec.given(history).when(moveTo).thenState({ status: 'PICKED_UP', version: 3 });
    });
    it('given DeliveryPickedUp when CompleteDelivery then DeliveryCompleted', () => {
      spec.given(history).when(complete).then([deliveryCompleted]);
    });
    it('given DeliveryPickedUp when CompleteDelivery then the delivery is DELIVERED', () => {
      spec.given(history).when(complete).thenState({ status: 'DELIVERED', version: 3 });
    });
    it('given DeliveryPickedUp when PickUpDelivery then invalid transition', () => {
      spec.given(history).when(pickUp).thenThrows('INVALID_TRANSITION');
    });
    it('given DeliveryPickedUp when CreateDelivery then invalid transition', () => {
      spec.given(history).when(createDelivery).thenThrows('INVALID_TRANSITION');
    });
    it('given DeliveryPickedUp when CancelDelivery then invalid transition', () => {
      spec.given(history).when(cancel).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('DELIVERED', () => {
    for (const command of [createDelivery, pickUp, moveTo, complete, cancel]) {
      it(`given DeliveryCompleted when ${command.type} then invalid transition`, () => {
        spec.given([deliveryCreated, deliveryPickedUp, deliveryCompleted]).when(command).thenThrows('INVALID_TRANSITION');
      });
    }
  });

  describe('CANCELLED', () => {
    for (const command of [createDelivery, pickUp, moveTo, complete, cancel]) {
      it(`given DeliveryCancelled when ${command.type} then invalid transition`, () => {
        spec.given([deliveryCreated, deliveryCancelled]).when(command).thenThrows('INVALID_TRANSITION');
      });
    }
  });

  it('the transition table covers every delivery command', () => {
    expect(Object.keys(DELIVERY_TRANSITIONS).sort()).toEqual([
      'CancelDelivery',
      'CompleteDelivery',
      'CreateDelivery',
      'PickUpDelivery',
      'UpdateDeliveryLocation',
    ]);
  });
});
