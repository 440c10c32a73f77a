import { assertNever, defineDecider, type InitialState, requireExisting } from '@delivery/command-kit';
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
    const stamp = { version: event.version, updatedAt: event.occurredAt };
    switch (event.eventType) {
      case 'DispatchRequested':
        return {
          dispatchId: event.aggregateId,
          ...event.payload,
          riderId: null,
          cancelReason: null,
          createdAt: event.occurredAt,
          ...stamp,
        };
      case 'DispatchAccepted':
        return {
          ...requireExisting(state, event.eventType),
          riderId: event.payload.riderId,
          status: event.payload.status,
          ...stamp,
        };
      case 'DispatchCancelled':
        return {
          ...requireExisting(state, event.eventType),
          cancelReason: event.payload.reason,
          status: event.payload.status,
          ...stamp,
        };
      default:
        return assertNever(event);
    }
  },
});
