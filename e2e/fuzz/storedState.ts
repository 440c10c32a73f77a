import { setTimeout as sleep } from 'node:timers/promises';
import { kafkaBrokers, serviceDatabases, type ServiceName } from '@delivery/infra';
import { adminQuery } from '@delivery/test-support';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { Exchange } from './exchanges.ts';

/**
 * "Nothing stored is changed by a rejected request", checked on the write services' own
 * schemas (docs/decisions/fuzzing.md). Before and after a fuzz run, every row of every table
 * is fingerprinted (primary key → md5 of the row); afterwards each difference must be
 * explained by an accepted (2xx) request of the run:
 *
 * - a new outbox row: its `correlation_id` is the request id of the command (or, through
 *   reactions, of the command whose event started the chain); it must be the id of an
 *   exchange answered 2xx. An id of a refused exchange, or of none, is a violation;
 * - a new or changed aggregate row (`orders`, `dispatches`, `deliveries`): its new version
 *   must be one of those explained outbox rows (state never changes without its event);
 * - a new or changed fact row (`order_facts`, `dispatch_facts`): its id must be named by an
 *   explained outbox row (the aggregate or its payload);
 * - a new `reaction_inbox` row: its triggering event must be an explained outbox row;
 * - a new `idempotency_record`: the one thing a refusal may store, by design, is the replay
 *   of its own answer (docs/decisions/idempotency-claim-then-complete.md): it must be
 *   COMPLETED with a 4xx answer; a 2xx one is an accepted command's; IN_FLIGHT after the
 *   run is a claim nobody completed or released, a violation;
 * - any other table (migrations, ...) must not change at all.
 * Not compared: `outbox_lease` (renewed every relay cycle), outbox `sent_at` (the relay
 * marks rows sent) and rows deleted by housekeeping (expired keys, old sent outbox rows).
 */

export interface TableSnapshot {
  key: string[];
  rows: Map<string, string>;
}
export type SchemaSnapshot = Map<string, TableSnapshot>;
export type StoredState = Map<ServiceName, SchemaSnapshot>;

const IGNORED_TABLES = new Set(['outbox_lease']);
/** Columns a background job changes on its own. */
const VOLATILE_COLUMNS: Record<string, string[]> = { outbox_event: ['sent_at'] };
const AGGREGATE_TABLES: Record<ServiceName, string> = { order: 'orders', dispatch: 'dispatches', delivery: 'deliveries' };

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  COLUMN_KEY: string;
}

const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;

async function snapshotSchema(database: string): Promise<SchemaSnapshot> {
  const columns = await adminQuery<ColumnRow[]>(
    'SELECT TABLE_NAME, COLUMN_NAME, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
    [database],
  );
  const tables = new Map<string, ColumnRow[]>();
  for (const column of columns) tables.set(column.TABLE_NAME, [...(tables.get(column.TABLE_NAME) ?? []), column]);
  const snapshot: SchemaSnapshot = new Map();
  for (const [table, cols] of tables) {
    if (IGNORED_TABLES.has(table)) continue;
    const volatile = VOLATILE_COLUMNS[table] ?? [];
    const key = cols.filter((c) => c.COLUMN_KEY === 'PRI').map((c) => c.COLUMN_NAME);
    const keyColumns = key.length > 0 ? key : cols.map((c) => c.COLUMN_NAME);
    const hashed = cols.filter((c) => !volatile.includes(c.COLUMN_NAME)).map((c) => quote(c.COLUMN_NAME));
    const rows = await adminQuery<{ k: string; h: string }[]>(
      `SELECT CAST(JSON_ARRAY(${keyColumns.map(quote).join(', ')}) AS CHAR) AS k, MD5(JSON_ARRAY(${hashed.join(', ')})) AS h FROM ${quote(database)}.${quote(table)}`,
    );
    snapshot.set(table, { key: keyColumns, rows: new Map(rows.map((r) => [r.k, r.h])) });
  }
  return snapshot;
}

/** Every write service's schema, fingerprinted. */
export async function snapshotStoredState(): Promise<StoredState> {
  const state: StoredState = new Map();
  for (const db of serviceDatabases) state.set(db.service, await snapshotSchema(db.database));
  return state;
}

/** Rows whose key is new, or whose fingerprint changed, per table. */
function changedKeys(before: TableSnapshot | undefined, after: TableSnapshot): string[] {
  const changed: string[] = [];
  for (const [key, hash] of after.rows) if (before?.rows.get(key) !== hash) changed.push(key);
  return changed;
}

const firstKey = (key: string): string => String((JSON.parse(key) as unknown[])[0]);

async function rowsByKeys<T>(database: string, table: string, keyColumn: string, keys: string[]): Promise<T[]> {
  if (keys.length === 0) return [];
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    out.push(...(await adminQuery<T[]>(`SELECT * FROM ${quote(database)}.${quote(table)} WHERE ${quote(keyColumn)} IN (${chunk.map(() => '?').join(', ')})`, chunk)));
  }
  return out;
}

export interface StateVerdict {
  /** What was stored and why that is fine, counted. */
  counts: {
    acceptedExchanges: number;
    rejectedExchanges: number;
    newOutboxRows: number;
    changedAggregates: number;
    changedFacts: number;
    newReactionInbox: number;
    storedRefusals: number;
    storedAnswers: number;
  };
  /** Each change that no accepted request explains. Empty when the property holds. */
  violations: string[];
}

interface OutboxRow {
  id: bigint | number;
  event_id: string;
  aggregate_id: string;
  version: number;
  event_type: string;
  correlation_id: string;
  envelope: string;
}

/**
 * Compares two snapshots against the exchanges of the run (the response's request id, which
 * every outbox row of the command carries as correlation id).
 */
export async function judgeStoredState(before: StoredState, after: StoredState, exchanges: readonly Exchange[]): Promise<StateVerdict> {
  const accepted = new Set<string>();
  const rejected = new Map<string, Exchange>();
  for (const exchange of exchanges) {
    if (exchange.requestId === null) continue;
    if (exchange.status >= 200 && exchange.status < 300) accepted.add(exchange.requestId);
    else rejected.set(exchange.requestId, exchange);
  }
  const violations: string[] = [];
  const counts: StateVerdict['counts'] = {
    acceptedExchanges: exchanges.filter((e) => e.status >= 200 && e.status < 300).length,
    rejectedExchanges: exchanges.filter((e) => e.status >= 400).length,
    newOutboxRows: 0,
    changedAggregates: 0,
    changedFacts: 0,
    newReactionInbox: 0,
    storedRefusals: 0,
    storedAnswers: 0,
  };

  // 1. Outbox rows, in every schema first: facts and inboxes refer to other services' events.
  const explainedEvents = new Map<string, OutboxRow>();
  const explainedVersions = new Set<string>();
  const namedIds = new Set<string>();
  for (const db of serviceDatabases) {
    const beforeOutbox = before.get(db.service)?.get('outbox_event');
    const afterOutbox = after.get(db.service)?.get('outbox_event');
    if (!afterOutbox) continue;
    const fresh = [...afterOutbox.rows.keys()].filter((k) => !beforeOutbox?.rows.has(k));
    const rows = await rowsByKeys<OutboxRow>(db.database, 'outbox_event', 'id', fresh.map(firstKey));
    counts.newOutboxRows += rows.length;
    for (const row of rows) {
      const refused = rejected.get(row.correlation_id);
      if (refused) {
        violations.push(`${db.service}: ${row.event_type} v${row.version} of ${row.aggregate_id} was stored for a refused request (${refused.method} ${refused.path} → ${refused.status}, request id ${row.correlation_id})`);
      } else if (!accepted.has(row.correlation_id)) {
        violations.push(`${db.service}: ${row.event_type} v${row.version} of ${row.aggregate_id} has correlation id ${row.correlation_id}, which is no accepted request of the run`);
      } else {
        explainedEvents.set(row.event_id, row);
        explainedVersions.add(`${row.aggregate_id}@${row.version}`);
        for (const id of row.envelope.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []) namedIds.add(id);
      }
    }
    // Rows that were there before must not change (but for sent_at, not fingerprinted).
    for (const key of changedKeys(beforeOutbox, afterOutbox)) {
      if (beforeOutbox?.rows.has(key)) violations.push(`${db.service}: outbox row ${firstKey(key)} was rewritten`);
    }
  }

  // 2. Every other table.
  for (const db of serviceDatabases) {
    const schemaBefore = before.get(db.service) ?? new Map<string, TableSnapshot>();
    const schemaAfter = after.get(db.service) ?? new Map<string, TableSnapshot>();
    for (const [table, snapshot] of schemaAfter) {
      if (table === 'outbox_event') continue;
      const changed = changedKeys(schemaBefore.get(table), snapshot);
      if (changed.length === 0) continue;
      if (table === AGGREGATE_TABLES[db.service]) {
        const rows = await rowsByKeys<{ id: string; version: number }>(db.database, table, 'id', changed.map(firstKey));
        counts.changedAggregates += rows.length;
        for (const row of rows) {
          if (!explainedVersions.has(`${row.id}@${row.version}`)) {
            violations.push(`${db.service}: ${table} row ${row.id} changed to version ${row.version} without an event of an accepted request`);
          }
        }
      } else if (table === 'order_facts' || table === 'dispatch_facts') {
        counts.changedFacts += changed.length;
        for (const key of changed) {
          if (!namedIds.has(firstKey(key))) violations.push(`${db.service}: ${table} row ${firstKey(key)} was written, but no accepted command's event names it`);
        }
      } else if (table === 'reaction_inbox') {
        counts.newReactionInbox += changed.length;
        for (const key of changed) {
          if (!explainedEvents.has(firstKey(key))) violations.push(`${db.service}: reaction_inbox marks event ${firstKey(key)} handled, which is no event of an accepted request`);
        }
      } else if (table === 'idempotency_record') {
        const rows = await rowsByKeys<{ key_hash: string; scope: string; state: string; response_status: number | null }>(
          db.database,
          table,
          'key_hash',
          changed.map(firstKey),
        );
        for (const row of rows) {
          if (row.state !== 'COMPLETED') violations.push(`${db.service}: Idempotency-Key record for ${row.scope} left ${row.state} after the run`);
          else if (row.response_status !== null && row.response_status >= 200 && row.response_status < 300) counts.storedAnswers++;
          else if (row.response_status !== null && row.response_status >= 400 && row.response_status < 500) counts.storedRefusals++;
          else violations.push(`${db.service}: Idempotency-Key record for ${row.scope} stored answer ${String(row.response_status)}`);
        }
      } else {
        violations.push(`${db.service}: ${changed.length} row(s) of ${table} changed (${changed.slice(0, 3).map(firstKey).join(', ')})`);
      }
    }
  }
  return { counts, violations };
}

/** The write services' reaction consumer groups (command-kit's default `<service>-service-reactions`). */
const REACTION_GROUPS = serviceDatabases.map((db) => `${db.service}-service-reactions`);

/** Messages the group has not committed yet, over the topics it ever committed on. */
async function committedLag(admin: Admin, groupId: string): Promise<number> {
  let behind = 0;
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      behind += Number(end.high) - (done === '-1' ? Number(end.low) : Number(done));
    }
  }
  return behind;
}

/**
 * Waits until the write services are at rest: no unsent outbox row, every reaction consumer
 * caught up (a reaction writes facts and inbox rows, and maybe more events), and nothing new
 * for `quietMs`, within `timeoutMs`.
 */
export async function waitForRest(quietMs = 1_500, timeoutMs = 60_000): Promise<void> {
  const admin = new Kafka({ clientId: 'fuzz-rest', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await waitUntilQuiet(admin, quietMs, timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

async function waitUntilQuiet(admin: Admin, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let since = Date.now();
  for (;;) {
    const marks: string[] = [];
    let lagging = false;
    for (const group of REACTION_GROUPS) {
      const lag = await committedLag(admin, group).catch(() => -1);
      if (lag !== 0) lagging = true;
      marks.push(`${group}:${lag}`);
    }
    for (const db of serviceDatabases) {
      const [row] = await adminQuery<{ top: bigint | number | null; unsent: bigint | number }[]>(
        `SELECT MAX(id) AS top, SUM(sent_at IS NULL) AS unsent FROM ${quote(db.database)}.outbox_event`,
      );
      marks.push(`${String(row?.top)}/${String(row?.unsent ?? 0)}`);
    }
    const mark = marks.join(' ');
    const unsent = marks.some((m) => m.includes('/') && !m.endsWith('/0') && !m.endsWith('/null'));
    if (mark !== last || unsent || lagging) {
      last = mark;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    if (Date.now() > deadline) throw new Error(`the write services did not come to rest within ${timeoutMs} ms (reactions and outboxes: ${mark})`);
    await sleep(200);
  }
}
