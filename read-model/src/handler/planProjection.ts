import type { DomainEvent } from '@delivery/contracts';
import { deliveryProjection } from './deliveryProjection.ts';
import { dispatchProjection } from './dispatchProjection.ts';
import { orderPartProjection } from './orderPartProjection.ts';
import { DELIVERY_PART_FIELDS, DISPATCH_PART_FIELDS } from './viewDocuments.ts';

export const VIEW_NAMES = ['orders', 'dispatches', 'deliveries'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/**
 * One version-guarded write of a batch: the patch of every event of one aggregate that
 * lands in one document part, folded in version order. `part` is the dotted path of the
 * part inside its document ('' for a whole-document view); the guard is `<part>.version`.
 */
export interface PartWrite {
  view: ViewName;
  id: string;
  part: string;
  /** The newest version folded in: the write applies only over an older (or missing) part. */
  version: number;
  set: Record<string, unknown>;
  events: DomainEvent[];
}

export interface RejectedEvent {
  event: DomainEvent;
  reason: string;
}

export interface ProjectionPlan {
  writes: PartWrite[];
  rejected: RejectedEvent[];
}

type Patch = Record<string, unknown>;

interface Route {
  view: ViewName;
  id: string;
  part: string;
  evolve: (patch: Patch, event: DomainEvent) => Patch;
}

const pick = (fields: readonly string[]) => (patch: Patch): Patch =>
  Object.fromEntries(fields.filter((f) => f in patch).map((f) => [f, patch[f]]));

/** The document parts an event changes: its own view, and for dispatch/delivery the order view. */
function routesOf(event: DomainEvent): Route[] {
  switch (event.aggregateType) {
    case 'order':
      return [
        {
          view: 'orders',
          id: event.aggregateId,
          part: 'order',
          evolve: (p, e) => orderPartProjection.evolve(p, e as typeof event),
        },
      ];
    case 'dispatch':
      return joined(event, 'dispatches', (p, e) => dispatchProjection.evolve(p, e as typeof event), DISPATCH_PART_FIELDS);
    case 'delivery':
      return joined(event, 'deliveries', (p, e) => deliveryProjection.evolve(p, e as typeof event), DELIVERY_PART_FIELDS);
  }
}

/** A dispatch or delivery event: its own view, and its part (some of the same fields) of the order view. */
function joined(
  event: DomainEvent & { payload: { orderId: string } },
  view: 'dispatches' | 'deliveries',
  evolve: Route['evolve'],
  orderFields: readonly string[],
): Route[] {
  const orderPart = pick(orderFields);
  return [
    { view, id: event.aggregateId, part: '', evolve },
    { view: 'orders', id: event.payload.orderId, part: `${view}.${event.aggregateId}`, evolve: (p, e) => orderPart(evolve(p, e)) },
  ];
}

/**
 * Folds a batch of validated events into one guarded write per document part. Duplicates
 * (same aggregate and version) count once; an event whose projection throws is rejected as
 * a whole (none of its parts is written) and goes to the dead-letter topic.
 *
 * Per-aggregate order is Kafka's (one key, one partition) and the fold relies on it only in
 * that a batch holding an older duplicate also holds the versions after it, as a resend of
 * the outbox does; the guard keeps anything older than the stored part out.
 */
export function planProjection(events: readonly DomainEvent[]): ProjectionPlan {
  const rejected: RejectedEvent[] = [];
  const groups = new Map<string, { route: Route; events: Map<number, DomainEvent> }>();
  for (const event of events) {
    let routes: Route[];
    try {
      routes = routesOf(event);
      for (const route of routes) route.evolve({}, event);
    } catch (error) {
      rejected.push({ event, reason: `projection failed: ${(error as Error).message}` });
      continue;
    }
    for (const route of routes) {
      const key = `${route.view}\u0000${route.id}\u0000${route.part}`;
      const group = groups.get(key) ?? { route, events: new Map<number, DomainEvent>() };
      if (!group.events.has(event.version)) group.events.set(event.version, event);
      groups.set(key, group);
    }
  }
  const writes = [...groups.values()].map(({ route, events: byVersion }): PartWrite => {
    const ordered = [...byVersion.values()].sort((a, b) => a.version - b.version);
    const set = ordered.reduce<Patch>((patch, event) => route.evolve(patch, event), {});
    return { view: route.view, id: route.id, part: route.part, version: ordered.at(-1)?.version ?? 0, set, events: ordered };
  });
  return { writes, rejected };
}
