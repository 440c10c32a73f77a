import type { DomainEvent } from '@delivery/contracts';
import type { Tracer } from '@opentelemetry/api';
import { tracing, type Logger, type Tracing } from '@delivery/runtime-kit';
import type { TopicNames } from '../config/index.ts';
import {
  catchUpWrites,
  orderListing,
  planProjection,
  renderView,
  stageUpdates,
  VIEW_NAMES,
  type PartWrite,
  type ViewDocuments,
  type ViewName,
} from '../handler/index.ts';
import { insertedDocument, type CacheEntry, type CacheFence, type OrderListIndex, type ViewCache, type ViewCollections, type ViewStore, type WriteOutcome } from '../repository/index.ts';
import type { ReadModelMetrics } from '../readModelMetrics.ts';
import { decodeMessage } from './decodeMessage.ts';
import type { DeadLetter, DeadLetterPublisher, SourceMessage } from './deadLetters.ts';
import { endProjectionSpans, failProjectionSpans, startProjectionSpans } from './projectionSpans.ts';

export interface BatchProjectorDeps {
  topics: TopicNames;
  store: ViewStore;
  /** The collections to write: the active generation for the live consumer, a fixed one for a rebuild. */
  views: () => Promise<ViewCollections>;
  cache?: { cache: ViewCache; fence: CacheFence; enabled: () => boolean; listIndex?: OrderListIndex };
  deadLetters: DeadLetterPublisher;
  metrics: ReadModelMetrics;
  logger: Logger;
  now?: () => number;
  /** A span per projected message (default: the process's tracing, `startTracing` in main.ts). */
  tracing?: Tracing;
}

const docKey = (write: Pick<PartWrite, 'view' | 'id'>) => `${write.view}\u0000${write.id}`;

/**
 * Documents this batch created whose content it therefore knows without reading them back:
 * each inserted by an upsert that was the batch's only write to it (another part written in
 * the same unordered bulk may have landed before or after, so such documents are read).
 */
function created(writes: readonly PartWrite[], inserted: readonly PartWrite[]): Map<string, object> {
  const writesPerDoc = new Map<string, number>();
  for (const write of writes) writesPerDoc.set(docKey(write), (writesPerDoc.get(docKey(write)) ?? 0) + 1);
  return new Map(inserted.filter((write) => writesPerDoc.get(docKey(write)) === 1).map((write) => [docKey(write), insertedDocument(write)]));
}

/**
 * Projects one chunk of consumed messages, one way: decode and validate each; plan (the
 * handler folds them per document part in memory); store (one unordered bulk write of
 * guarded upserts per collection); read the changed documents back (but those the batch
 * created with its only write to them: their content is known); derive (the handler
 * applies the stage rule and renders the views); store the changed stages, then one Redis
 * pipeline and the dead letters in one send. Storage only ever receives finished writes.
 * Resolves when all of it is stored; rejects (and the consumer pauses and retries the
 * chunk) when MongoDB or Kafka fails. Poison messages never make it reject.
 */
export class BatchProjector {
  readonly #deps: BatchProjectorDeps;
  readonly #tracer: Tracer | undefined;

  constructor(deps: BatchProjectorDeps) {
    this.#deps = deps;
    const traces = deps.tracing ?? tracing();
    this.#tracer = traces.enabled ? traces.tracer : undefined;
  }

  async project(messages: readonly SourceMessage[]): Promise<void> {
    const { metrics } = this.#deps;
    metrics.batchInProgress.set(messages.length);
    const spans = this.#tracer === undefined ? undefined : startProjectionSpans(this.#tracer, messages);
    try {
      const letters = await this.#project(messages);
      if (spans !== undefined) endProjectionSpans(spans, messages, letters);
    } catch (error) {
      if (spans !== undefined) failProjectionSpans(spans, error);
      throw error;
    } finally {
      metrics.batchInProgress.set(0);
    }
  }

  /** Resolves with the messages parked in the dead-letter topic once everything is stored. */
  async #project(messages: readonly SourceMessage[]): Promise<DeadLetter[]> {
    const { metrics } = this.#deps;
    const stopTimer = metrics.batchDuration.startTimer();
    const letters: DeadLetter[] = [];
    const sources = new Map<DomainEvent, SourceMessage>();
    for (const message of messages) {
      const decoded = decodeMessage(message.topic, message.value, this.#deps.topics);
      if (decoded.ok) sources.set(decoded.event, message);
      else letters.push({ ...message, reason: decoded.reason });
    }
    const plan = planProjection([...sources.keys()]);
    const poisoned = new Map<DomainEvent, string>(plan.rejected.map((r) => [r.event, r.reason]));

    const views = await this.#deps.views();
    const outcome = await this.#deps.store.applyWrites(views, plan.writes);
    const docs = await this.#readBack(views, plan.writes, created(plan.writes, outcome.inserted));
    // A redelivered batch may overlap what a part holds: fold its newer events again (rare).
    // Writes MongoDB refused outright are not owed: their events go to the dead-letter topic.
    const notFailed = (writes: readonly PartWrite[], failed: WriteOutcome['failed']) => writes.filter((w) => !failed.some((f) => f.write === w));
    for (let round = 0, owed = catchUpWrites(notFailed(plan.writes, outcome.failed), docs.find); owed.length > 0 && round < 5; round++) {
      const more = await this.#deps.store.applyWrites(views, owed);
      outcome.applied.push(...more.applied);
      outcome.failed.push(...more.failed);
      Object.assign(docs, await this.#readBack(views, plan.writes));
      owed = catchUpWrites(notFailed(owed, more.failed), docs.find);
    }
    for (const { write, reason } of outcome.failed) for (const event of write.events) poisoned.set(event, reason);
    for (const [event, reason] of poisoned) {
      const source = sources.get(event);
      if (source) letters.push({ ...source, reason: `${event.eventType} ${event.aggregateId} v${event.version}: ${reason}` });
    }

    const { orders, dispatches, deliveries } = docs;
    await this.#deps.store.writeStages(views, stageUpdates(orders));
    const storedAt = (this.#deps.now ?? Date.now)();

    await this.#writeCache(views.generation, { orders, dispatches, deliveries });
    await this.#deps.deadLetters.publish(letters);
    if (letters.length > 0) {
      this.#deps.logger.warn({ count: letters.length, reasons: letters.map((l) => l.reason).slice(0, 5) }, 'parked poison messages in the dead-letter topic');
    }
    this.#record(messages, letters, outcome, storedAt);
    stopTimer();
    return letters;
  }

  /** The documents the writes touched, as stored now: read, but for those `known` (created by this batch's only write to them). */
  async #readBack(views: ViewCollections, writes: readonly PartWrite[], known: ReadonlyMap<string, object> = new Map()) {
    const ids = (view: ViewName) => [...new Set(writes.filter((w) => w.view === view && !known.has(docKey(w))).map((w) => w.id))];
    const withKnown = <V extends ViewName>(view: V, read: ViewDocuments[V][]): ViewDocuments[V][] => [
      ...read,
      ...[...known].flatMap(([key, doc]) => (key.startsWith(`${view}\u0000`) ? [doc as ViewDocuments[V]] : [])),
    ];
    const [orders, dispatches, deliveries] = await Promise.all([
      this.#deps.store.findByIds(views, 'orders', ids('orders')).then((read) => withKnown('orders', read)),
      this.#deps.store.findByIds(views, 'dispatches', ids('dispatches')).then((read) => withKnown('dispatches', read)),
      this.#deps.store.findByIds(views, 'deliveries', ids('deliveries')).then((read) => withKnown('deliveries', read)),
    ]);
    const byId = { orders: new Map(orders.map((d) => [d._id, d])), dispatches: new Map(dispatches.map((d) => [d._id, d])), deliveries: new Map(deliveries.map((d) => [d._id, d])) };
    return { orders, dispatches, deliveries, find: (view: ViewName, id: string): object | undefined => byId[view].get(id) };
  }

  #record(messages: readonly SourceMessage[], letters: readonly DeadLetter[], outcome: WriteOutcome, storedAt: number): void {
    const { metrics } = this.#deps;
    for (const write of outcome.applied) {
      for (const event of write.events) metrics.projectionLatency.observe(Math.max(0, storedAt - Date.parse(event.occurredAt)) / 1000);
    }
    for (const [view, writes] of Map.groupBy(outcome.applied, (w) => w.view)) metrics.viewWrites.inc({ view, outcome: 'applied' }, writes.length);
    if (outcome.stale > 0) metrics.viewWrites.inc({ view: 'all', outcome: 'stale' }, outcome.stale);
    if (outcome.failed.length > 0) metrics.viewWrites.inc({ view: 'all', outcome: 'failed' }, outcome.failed.length);
    const position = (m: SourceMessage) => `${m.topic}/${m.partition}/${m.offset}`;
    const dead = new Set(letters.map(position));
    for (const message of messages) metrics.events.inc({ topic: message.topic, outcome: dead.has(position(message)) ? 'dead_lettered' : 'projected' });
  }

  /** One pipeline; on failure the keys are remembered and purged once Redis is back. */
  async #writeCache(generation: number, docs: { [V in ViewName]: ViewDocuments[V][] }): Promise<void> {
    const cache = this.#deps.cache;
    if (!cache?.enabled()) return;
    const entries: CacheEntry[] = [];
    const render = <V extends ViewName>(view: V, stored: ViewDocuments[V][]) => {
      for (const doc of stored) {
        const rendered = renderView(view, doc);
        if (rendered) entries.push({ view, generation, id: doc._id, version: rendered.version, json: JSON.stringify(rendered.view) });
      }
    };
    for (const view of VIEW_NAMES) render(view, docs[view]);
    if (entries.length === 0) return;
    const listIndex = cache.listIndex;
    const listings = listIndex ? docs.orders.flatMap((doc) => orderListing(doc) ?? []) : [];
    try {
      if (cache.fence.needsPurge()) await cache.fence.purge();
      await cache.cache.putIfNewer(entries, listIndex && ((pipeline) => listIndex.addWrites(pipeline, generation, listings)));
    } catch (error) {
      this.#deps.metrics.cacheWriteFailures.inc();
      // A lost list write makes the list index incomplete: its marker goes with the views' keys.
      const keys = entries.map((e) => cache.cache.key(e.view, e.generation, e.id));
      cache.fence.markDirty(listIndex && listings.length > 0 ? [...keys, ...listIndex.completenessKeys(generation)] : keys);
      this.#deps.logger.warn({ err: error, entries: entries.length }, 'cache write failed; views stored in MongoDB, entries fenced');
    }
  }
}
