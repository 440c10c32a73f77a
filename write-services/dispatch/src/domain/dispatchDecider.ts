import { assertNever, changedBy, createdBy, defineDecider, type InitialState, requireExisting } from '@delivery/command-kit';
import type { DispatchEvent, EventDraft } from '@delivery/contracts';
import type { Dispatch } from './dispatch.ts';
import type { DispatchCommand } from './dispatchCommand.ts';
import { DISPATCH_TRANSITIONS } from './dispatchTransitions.ts';

export type DispatchState = Dispatch | InitialState;

export const dispatchDecider = defineDecider<DispatchCommand, DispatchEvent, Dispatch>({
  transitions: DISPATCH_TRANSITIONS,

  decide(command: DispatchCommand, state: DispatchState): EventDraft<DispatchEvent>[] {
    switch (command.type) {
      case 'RequestDispatch':
        return [
          {
            eventType: 'DispatchRequested',
            payload: { orderId: command.orderId, pickup: command.pickup, dropoff: command.dropoff, status: 'REQUESTED' },
          },
        ];
      case 'AcceptDispatch': {
        const { orderId } = requireExisting(state, command.type);
        return [{ eventType: 'DispatchAccepted', payload: { orderId, riderId: command.riderId, status: 'ACCEPTED' } }];
      }
      case 'CancelDispatch': {
        const { orderId } = requireExisting(state, command.type);
        return [{ eventType: 'DispatchCancelled', payload: { orderId, reason: command.reason, status: 'CANCELLED' } }];
      }
      default:
        return assertNever(command);
    }
  },

  evolve(state: DispatchState, event: DispatchEvent): Dispatch {
    switch (event.eventType) {
      case 'DispatchRequested':
        return createdBy(event, { dispatchId: event.aggregateId, ...event.payload, riderId: null, cancelReason: null });
      case 'DispatchAccepted':
        return changedBy(event, state, { riderId: event.payload.riderId, status: event.payload.status });
      case 'DispatchCancelled':
        return changedBy(event, state, { cancelReason: event.payload.reason, status: event.payload.status });
      default:
        return assertNever(event);
    }
  },
});
