import type { DomainEvent } from '@delivery/contracts';
import type { ViewName } from '../view/viewSchemas.ts';
import type { Stage } from '../view/stage.ts';
import { deriveStage } from './deriveStage.ts';
import { ProjectionRegistry, type AnyProjection } from './projectionRegistry.ts';

/**
 * One version-guarded write of a batch: the patch of every event of one aggregate that
 * lands in one document part, folded in version order. `part` is the dotted path of the
 * part inside its document ('' for a whole-document view); the guard is `<part>.version`.
 * `countRevision` asks storage to count the write in the document's `rev` (the order view,
 * whose derived stage is written guarded by it).
 */
export interface PartWrite {
  view: ViewName;
  id: string;
  part: string;
  /** The newest version folded in. */
  version: number;
  /** The oldest version folded in: the write applies only over a part older than it (or missing). */
  firstVersion: number;
  set: Record<string, unknown>;
  countRevision: boolean;
  events: DomainEvent[];
  /**
   * The stage an order view takes when this write creates it (an order part alone): the
   * derive step after the write then has nothing to store, one MongoDB round trip less per
   * new order. Where other parts are there too, the derive step corrects it as always.
   */
  stageOnInsert?: Stage;
}

export interface RejectedEvent {
  event: DomainEvent;
  reason: string;
}

export interface ProjectionPlan {
  writes: PartWrite[];
  rejected: RejectedEvent[];
}

const defaultRegistry = new ProjectionRegistry();

/** The version stored in a document's part ('' for the whole document); 0 when missing. */
export function storedPartVersion(doc: object | undefined, part: string): number {
  let node: unknown = doc;
  if (part !== '') for (const segment of part.split('.')) node = (node as Record<string, unknown> | undefined)?.[segment];
  const version = (node as { version?: unknown } | undefined)?.version;
  return typeof version === 'number' ? version : 0;
}

/**
 * The writes a batch still owes after storing `writes`: a write is refused when its part
 * already holds some of its events (a redelivered batch overlapping what was stored), so the
 * events newer than what the part holds are folded again into a write of their own.
 * `stored` finds a document as stored after the writes.
 */
export function catchUpWrites(writes: readonly PartWrite[], stored: (view: ViewName, id: string) => object | undefined): PartWrite[] {
  return writes.flatMap((write) => {
    const version = storedPartVersion(stored(write.view, write.id), write.part);
    if (version >= write.version) return [];
    const newer = write.events.filter((e) => e.version > version);
    return planProjection(newer).writes.filter((w) => w.view === write.view && w.id === write.id && w.part === write.part);
  });
}

/**
 * Folds a batch of validated events into one guarded write per document part. Duplicates
 * (same aggregate and version) count once; an event that no projection takes, or whose
 * projection throws, is rejected as a whole (none of its parts is written) and goes to the
 * dead-letter topic.
 *
 * Per-aggregate order is Kafka's (one key, one partition) and the fold relies on it only in
 * that a batch holding an older duplicate also holds the versions after it, as a resend of
 * the outbox does; the guard keeps anything older than the stored part out.
 */
export function planProjection(events: readonly DomainEvent[], registry: ProjectionRegistry = defaultRegistry): ProjectionPlan {
  const rejected: RejectedEvent[] = [];
  const groups = new Map<string, { projection: AnyProjection; id: string; part: string; events: Map<number, DomainEvent> }>();
  for (const event of events) {
    const projections = registry.projectionsFor(event);
    if (projections.length === 0) {
      rejected.push({ event, reason: `no projection handles ${event.eventType}` });
      continue;
    }
    let targets;
    try {
      targets = projections.map((projection) => {
        projection.evolve({}, event);
        return { projection, ...projection.target(event) };
      });
    } catch (error) {
      rejected.push({ event, reason: `projection failed: ${(error as Error).message}` });
      continue;
    }
    for (const target of targets) {
      const key = `${target.projection.view}\u0000${target.id}\u0000${target.part}`;
      const group = groups.get(key) ?? { ...target, events: new Map<number, DomainEvent>() };
      if (!group.events.has(event.version)) group.events.set(event.version, event);
      groups.set(key, group);
    }
  }
  const writes = [...groups.values()].map(({ projection, id, part, events: byVersion }): PartWrite => {
    const ordered = [...byVersion.values()].sort((a, b) => a.version - b.version);
    const set = ordered.reduce<Record<string, unknown>>((patch, event) => projection.evolve(patch, event), {});
    const view = projection.view;
    const stageOnInsert = view === 'orders' && part === 'order' ? deriveStage({ order: set }) : undefined;
    return {
      view,
      id,
      part,
      version: ordered.at(-1)?.version ?? 0,
      firstVersion: ordered[0]?.version ?? 0,
      set,
      countRevision: view === 'orders',
      events: ordered,
      ...(stageOnInsert === undefined ? {} : { stageOnInsert }),
    };
  });
  return { writes, rejected };
}
