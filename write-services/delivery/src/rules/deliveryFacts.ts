import { lockFact, type SqlExecutor } from '@delivery/command-kit';
import type { DeliveryStatus } from '@delivery/contracts';

interface OrderFactRow {
  order_id: string;
  cancelled_at: Date | null;
}

interface DispatchFactRow {
  dispatch_id: string;
  order_id: string;
  cancelled_at: Date | null;
}

/**
 * What the delivery service knows of the orders and dispatches its deliveries belong to
 * (tables `order_facts`, `dispatch_facts`). Every command that relies on an order's facts
 * locks the order's row first, so cancellations, new deliveries and pickups of one order are
 * serialised here: the delivery service is the aggregate that settles those races.
 */
export const deliveryFacts = {
  /** Locks the order's row; whether the order was cancelled. */
  async lockOrder(tx: SqlExecutor, orderId: string): Promise<{ orderCancelled: boolean }> {
    const row = await lockFact<OrderFactRow>(tx, 'order_facts', 'order_id', orderId);
    return { orderCancelled: row.cancelled_at !== null };
  },

  /** Under the order's lock: whether the dispatch was cancelled. */
  async dispatchCancelled(tx: SqlExecutor, dispatchId: string): Promise<boolean> {
    const [row] = await tx.$queryRawUnsafe<DispatchFactRow[]>('SELECT * FROM dispatch_facts WHERE dispatch_id = ? FOR UPDATE', dispatchId);
    return row?.cancelled_at != null;
  },

  async recordOrderCancelled(tx: SqlExecutor, orderId: string, at: Date): Promise<void> {
    await tx.$executeRawUnsafe('UPDATE order_facts SET cancelled_at = COALESCE(cancelled_at, ?) WHERE order_id = ?', at, orderId);
  },

  async recordDispatchCancelled(tx: SqlExecutor, dispatchId: string, orderId: string, at: Date): Promise<void> {
    await tx.$executeRawUnsafe(
      'INSERT INTO dispatch_facts (dispatch_id, order_id, cancelled_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE cancelled_at = COALESCE(cancelled_at, VALUES(cancelled_at))',
      dispatchId,
      orderId,
      at,
    );
  },

  /** The deliveries of an order (or of one of its dispatches), locked. */
  async deliveriesOf(tx: SqlExecutor, by: { orderId: string } | { dispatchId: string }): Promise<{ deliveryId: string; status: DeliveryStatus }[]> {
    const [column, value] = 'orderId' in by ? ['order_id', by.orderId] : ['dispatch_id', by.dispatchId];
    const rows = await tx.$queryRawUnsafe<{ id: string; status: DeliveryStatus }[]>(`SELECT id, status FROM deliveries WHERE ${column} = ? FOR UPDATE`, value);
    return rows.map((r) => ({ deliveryId: r.id, status: r.status }));
  },
};
