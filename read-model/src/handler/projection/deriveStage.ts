import type { OrderDocument } from './viewDocuments.ts';
import type { Stage } from '../view/stage.ts';

/**
 * The stage rule of architecture.md, in its precedence. It reads only the parts' current
 * statuses, never the order in which they arrived, so the same events give the same stage.
 * Undefined while the order part is missing (its OrderPlaced has not been projected yet).
 */
export function deriveStage(doc: Pick<OrderDocument, 'order' | 'dispatches' | 'deliveries'>): Stage | undefined {
  const orderStatus = doc.order?.status;
  if (doc.order?.createdAt === undefined || orderStatus === undefined) return undefined;
  const deliveries = Object.values(doc.deliveries ?? {});
  const dispatches = Object.values(doc.dispatches ?? {});
  if (orderStatus === 'CANCELLED') return 'CANCELLED';
  if (deliveries.some((d) => d.status === 'DELIVERED')) return 'DELIVERED';
  if (deliveries.some((d) => d.status === 'PICKED_UP')) return 'PICKED_UP';
  if (deliveries.some((d) => d.status !== 'CANCELLED') || dispatches.some((d) => d.status === 'ACCEPTED')) return 'RIDER_ASSIGNED';
  if (orderStatus === 'ACCEPTED') return 'ACCEPTED';
  return 'PLACED';
}

/** A stored order view whose stage must change: written only while its `rev` is unchanged. */
export interface StageUpdate {
  id: string;
  rev: number;
  stage: Stage;
}

/**
 * The order views (as stored, after a batch's part writes) whose stored stage differs from
 * the rule. A write that lost a race to a newer part write is dropped by the `rev` guard;
 * that part's writer reads after its own write and derives the stage again.
 */
export function stageUpdates(docs: readonly OrderDocument[]): StageUpdate[] {
  return docs.flatMap((doc) => {
    const stage = deriveStage(doc);
    return stage === undefined || stage === doc.stage ? [] : [{ id: doc._id, rev: doc.rev ?? 0, stage }];
  });
}
