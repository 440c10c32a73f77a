import { deriveStage } from '../projection/deriveStage.ts';
import type { OrderDocument } from '../projection/viewDocuments.ts';
import { renderOrderView } from './renderViews.ts';

/** An order as the order list sorts and filters it (the list index's entry). */
export interface OrderListing {
  orderId: string;
  customerId: string;
  createdAt: Date;
  stage: string;
  /** The order view's version (the cache's), which orders the writes of one order. */
  version: number;
}

/** The order's list entry; undefined while it is not listed (no stage: its OrderPlaced is not projected). */
export function orderListing(doc: OrderDocument): OrderListing | undefined {
  const stage = deriveStage(doc);
  const rendered = renderOrderView(doc);
  const createdAt = doc.order?.createdAt;
  if (stage === undefined || !rendered || !(createdAt instanceof Date)) return undefined;
  return { orderId: doc._id, customerId: rendered.view.customerId, createdAt, stage, version: rendered.version };
}
