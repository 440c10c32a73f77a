import type { RuleCheck } from '@delivery/command-kit';
import { DispatchSnapshot } from '@delivery/contracts';
import type { Delivery } from '../domain/delivery.ts';
import type { DeliveryCommand } from '../domain/deliveryCommand.ts';
import { checkDeliveryCreation, checkPickUp } from '../domain/deliveryRules.ts';
import type { DeliveryTx } from '../store/deliveryRepository.ts';
import { deliveryFacts } from './deliveryFacts.ts';

/**
 * Gathers the facts the delivery rules need, inside the command's transaction: the dispatch
 * from its owner at the moment of the command, then the order's row here, locked (see
 * deliveryFacts.ts), so that a pickup and a cancellation of the same order are serialised.
 */
export async function deliveryRuleCheck({ command, current, context, tx, owners }: RuleCheck<Delivery, DeliveryCommand, DeliveryTx>): Promise<void> {
  switch (command.type) {
    case 'CreateDelivery': {
      const dispatch = await owners.snapshot('dispatch', 'dispatches', command.dispatchId, DispatchSnapshot, context.requestId);
      const order = await deliveryFacts.lockOrder(tx, command.orderId);
      const [existing] = await deliveryFacts.deliveriesOf(tx, { dispatchId: command.dispatchId });
      checkDeliveryCreation(command, dispatch, {
        ...order,
        dispatchCancelled: await deliveryFacts.dispatchCancelled(tx, command.dispatchId),
        existingDeliveryId: existing?.deliveryId,
      });
      return;
    }
    case 'PickUpDelivery':
      if (current.status !== 'NONE') checkPickUp(current, await deliveryFacts.lockOrder(tx, current.orderId));
      return;
    case 'UpdateDeliveryLocation':
    case 'CompleteDelivery':
    case 'CancelDelivery':
      return;
  }
}
