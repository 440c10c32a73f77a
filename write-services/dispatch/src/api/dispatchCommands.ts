import { defineCommand } from '@delivery/command-kit';
import { DispatchAcceptedPayload, DispatchCancelledPayload, DispatchRequestedPayload } from '@delivery/contracts';
import type { DispatchCommand } from '../domain/dispatchCommand.ts';

/** Bodies derive from the event contracts, so a command accepts exactly what its event can carry. */
export const RequestDispatchBody = DispatchRequestedPayload.omit({ status: true });
export const AcceptDispatchBody = DispatchAcceptedPayload.pick({ riderId: true });
export const CancelDispatchBody = DispatchCancelledPayload.pick({ reason: true }).partial();

/** The dispatch service's command table (architecture.md). */
export const dispatchCommands = [
  defineCommand({
    name: 'RequestDispatch',
    method: 'post',
    creates: true,
    summary: 'Request a rider for an order (→ REQUESTED)',
    body: RequestDispatchBody,
    toCommand: (body): DispatchCommand => ({ type: 'RequestDispatch', ...body }),
  }),
  defineCommand({
    name: 'AcceptDispatch',
    method: 'post',
    action: '/accept',
    summary: 'A rider accepts (REQUESTED → ACCEPTED)',
    body: AcceptDispatchBody,
    toCommand: (body): DispatchCommand => ({ type: 'AcceptDispatch', riderId: body.riderId }),
  }),
  defineCommand({
    name: 'CancelDispatch',
    method: 'post',
    action: '/cancel',
    summary: 'Cancel the dispatch, optionally with a reason (REQUESTED or ACCEPTED → CANCELLED)',
    body: CancelDispatchBody,
    toCommand: (body): DispatchCommand => ({ type: 'CancelDispatch', reason: body.reason ?? null }),
  }),
];
