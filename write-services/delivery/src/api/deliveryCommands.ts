import { defineCommand, EmptyBody } from '@delivery/command-kit';
import { DeliveryCreatedPayload, DeliveryLocationUpdatedPayload } from '@delivery/contracts';
import type { DeliveryCommand } from '../domain/deliveryCommand.ts';

/** Bodies derive from the event contracts, so a command accepts exactly what its event can carry. */
export const CreateDeliveryBody = DeliveryCreatedPayload.omit({ status: true });
export const UpdateDeliveryLocationBody = DeliveryLocationUpdatedPayload.pick({ lat: true, lng: true });

/** The delivery service's command table (architecture.md). */
export const deliveryCommands = [
  defineCommand({
    name: 'CreateDelivery',
    method: 'post',
    creates: true,
    summary: 'Start a delivery for an accepted dispatch (→ READY)',
    body: CreateDeliveryBody,
    toCommand: (body): DeliveryCommand => ({ type: 'CreateDelivery', ...body }),
  }),
  defineCommand({
    name: 'PickUpDelivery',
    method: 'post',
    action: '/pickup',
    summary: 'The rider picked the order up (READY → PICKED_UP)',
    body: EmptyBody,
    toCommand: (): DeliveryCommand => ({ type: 'PickUpDelivery' }),
  }),
  defineCommand({
    name: 'UpdateDeliveryLocation',
    method: 'put',
    action: '/location',
    summary: "The rider's current position (while READY or PICKED_UP)",
    body: UpdateDeliveryLocationBody,
    toCommand: (body): DeliveryCommand => ({ type: 'UpdateDeliveryLocation', lat: body.lat, lng: body.lng }),
  }),
  defineCommand({
    name: 'CompleteDelivery',
    method: 'post',
    action: '/complete',
    summary: 'Handed over to the customer (PICKED_UP → DELIVERED)',
    body: EmptyBody,
    toCommand: (): DeliveryCommand => ({ type: 'CompleteDelivery' }),
  }),
];
