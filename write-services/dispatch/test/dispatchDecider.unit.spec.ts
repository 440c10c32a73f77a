import { deciderSpecification } from '@delivery/test-support/jest';
import type { DispatchEvent, EventDraft } from '@delivery/contracts';
import { describe, expect, it } from '@jest/globals';
import type { DispatchCommand } from '../src/domain/dispatchCommand.ts';
import { dispatchDecider } from '../src/domain/dispatchDecider.ts';
import { DISPATCH_TRANSITIONS } from '../src/domain/dispatchTransitions.ts';

const spec = deciderSpecification(dispatchDecider, 'dispatch');

const orderId = '4b0f5c8e-3f1a-4c39-9a53-0d6f4e3b2a10';
const pickup = { lat: 37.56, lng: 126.97 };
const dropoff = { lat: 37.5, lng: 127.03 };

const requestDispatch: DispatchCommand = { type: 'RequestDispatch', orderId, pickup, dropoff };
const acceptDispatch: DispatchCommand = { type: 'AcceptDispatch', riderId: 'rider-7' };
const cancelDispatch: DispatchCommand = { type: 'CancelDispatch', reason: 'no riders nearby' };

const dispatchRequested: EventDraft<DispatchEvent> = {
  eventType: 'DispatchRequested',
  payload: { orderId, pickup, dropoff, status: 'REQUESTED' },
};
const dispatchAccepted: EventDraft<DispatchEvent> = {
  eventType: 'DispatchAccepted',
  payload: { orderId, riderId: 'rider-7', status: 'ACCEPTED' },
};
const dispatchCancelled: EventDraft<DispatchEvent> = {
  eventType: 'DispatchCancelled',
  payload: { orderId, reason: 'no riders nearby', status: 'CANCELLED' },
};

describe('dispatch decider', () => {
  describe('no dispatch yet', () => {
    it('given nothing when RequestDispatch then DispatchRequested', () => {
      spec.given([]).when(requestDispatch).then([dispatchRequested]);
    });
    it('given nothing when RequestDispatch then the dispatch is REQUESTED without a rider at version 1', () => {
      spec.given([]).when(requestDispatch).thenState({ status: 'REQUESTED', riderId: null, version: 1, orderId });
    });
    it('given nothing when AcceptDispatch then not found', () => {
      spec.given([]).when(acceptDispatch).thenThrows('NOT_FOUND');
    });
    it('given nothing when CancelDispatch then not found', () => {
      spec.given([]).when(cancelDispatch).thenThrows('NOT_FOUND');
    });
  });

  describe('REQUESTED', () => {
    it('given DispatchRequested when AcceptDispatch then DispatchAccepted carrying the orderId', () => {
      spec.given([dispatchRequested]).when(acceptDispatch).then([dispatchAccepted]);
    });
    it('given DispatchRequested when AcceptDispatch then the rider is assigned at version 2', () => {
      spec.given([dispatchRequested]).when(acceptDispatch).thenState({ status: 'ACCEPTED', riderId: 'rider-7', version: 2 });
    });
    it('given DispatchRequested when CancelDispatch then DispatchCancelled', () => {
      spec.given([dispatchRequested]).when(cancelDispatch).then([dispatchCancelled]);
    });
    it('given DispatchRequested when CancelDispatch without a reason then DispatchCancelled with reason null', () => {
      spec
        .given([dispatchRequested])
        .when({ type: 'CancelDispatch', reason: null })
        .then([{ eventType: 'DispatchCancelled', payload: { orderId, reason: null, status: 'CANCELLED' } }]);
    });
    it('given DispatchRequested when RequestDispatch then invalid transition', () => {
      spec.given([dispatchRequested]).when(requestDispatch).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('ACCEPTED', () => {
    it('given DispatchAccepted when CancelDispatch then DispatchCancelled', () => {
      spec.given([dispatchRequested, dispatchAccepted]).when(cancelDispatch).then([dispatchCancelled]);
    });
    it('given DispatchAccepted when CancelDispatch then CANCELLED keeps the rider', () => {
      spec
        .given([dispatchRequested, dispatchAccepted])
        .when(cancelDispatch)
        .thenState({ status: 'CANCELLED', riderId: 'rider-7', cancelReason: 'no riders nearby', version: 3 });
    });
    it('given DispatchAccepted when AcceptDispatch then invalid transition', () => {
      spec.given([dispatchRequested, dispatchAccepted]).when(acceptDispatch).thenThrows('INVALID_TRANSITION');
    });
    it('given DispatchAccepted when RequestDispatch then invalid transition', () => {
      spec.given([dispatchRequested, dispatchAccepted]).when(requestDispatch).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('CANCELLED', () => {
    for (const command of [requestDispatch, acceptDispatch, cancelDispatch]) {
      it(`given DispatchCancelled when ${command.type} then invalid transition`, () => {
        spec.given([dispatchRequested, dispatchCancelled]).when(command).thenThrows('INVALID_TRANSITION');
      });
    }
  });

  it('the transition table covers every dispatch command', () => {
    expect(Object.keys(DISPATCH_TRANSITIONS).sort()).toEqual(['AcceptDispatch', 'CancelDispatch', 'RequestDispatch']);
  });
});
