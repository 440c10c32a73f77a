import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@delivery/runtime-kit';
import { adminQuery, createThrowawayDatabase, type ThrowawayDatabase } from '@delivery/test-support';
import { applyMigrations } from '../src/migrations/migrationRunner.ts';

// prisma/<service>/migrations/20261207100000_binary_identifiers on a schema that already holds
// rows from before it, some carrying an id in the letter case a client sent (architecture.md,
// "Identifiers"): the migration succeeds, lower-cases those ids, and from then on identifier
// columns compare bytes.

const prismaDir = join(import.meta.dirname, '../../../prisma');
const logger = createLogger('binary-identifiers-test', 'silent');
const INIT = '20261127100000_init';
/** Identifiers the platform does not generate (free text up to 64 characters); the rest are UUIDs. */
const FREE_FORM_IDENTIFIERS = ['customer_id', 'store_id', 'rider_id'];

interface Case {
  service: string;
  aggregateTable: string;
  /** Columns that must compare bytes, per table. */
  binaryColumns: Record<string, string[]>;
  /** Inserts one aggregate row from before the migration; `id` is canonical, `ref` upper case. */
  legacyRow: (id: string, ref: string) => { sql: string; values: unknown[] };
  /** The row's reference columns after the migration. */
  refColumns: string[];
}

const now = new Date('2026-12-01T10:00:00.000Z');
const cases: Case[] = [
  {
    service: 'order',
    aggregateTable: 'orders',
    binaryColumns: { orders: ['id', 'customer_id', 'store_id'] },
    legacyRow: (id) => ({
      sql: `INSERT INTO orders (id, customer_id, store_id, items, total_amount, address_line, address_lat, address_lng,
              status, version, created_at, updated_at) VALUES (?, 'Customer-1', 'Store-9', '[]', 0, 'x', 37.5, 127, 'PLACED', 1, ?, ?)`,
      values: [id, now, now],
    }),
    refColumns: ['customer_id'],
  },
  {
    service: 'dispatch',
    aggregateTable: 'dispatches',
    binaryColumns: { dispatches: ['id', 'order_id', 'rider_id'] },
    legacyRow: (id, ref) => ({
      sql: `INSERT INTO dispatches (id, order_id, pickup_lat, pickup_lng, dropoff_lat, dropoff_lng, rider_id, status, version,
              created_at, updated_at) VALUES (?, ?, 37.5, 127, 37.51, 127.01, 'Rider-7', 'ACCEPTED', 2, ?, ?)`,
      values: [id, ref, now, now],
    }),
    refColumns: ['order_id', 'rider_id'],
  },
  {
    service: 'delivery',
    aggregateTable: 'deliveries',
    binaryColumns: { deliveries: ['id', 'order_id', 'dispatch_id', 'rider_id'] },
    legacyRow: (id, ref) => ({
      sql: `INSERT INTO deliveries (id, order_id, dispatch_id, rider_id, status, version, created_at, updated_at)
              VALUES (?, ?, ?, 'Rider-7', 'READY', 1, ?, ?)`,
      values: [id, ref, ref, now, now],
    }),
    refColumns: ['order_id', 'dispatch_id', 'rider_id'],
  },
];

describe.each(cases)('prisma/$service: binary identifiers over rows from before', (c) => {
  let database: ThrowawayDatabase;
  let initOnly: string;
  const id = randomUUID();
  const ref = randomUUID().toUpperCase();
  const query = <T>(sql: string, values: unknown[] = []) => adminQuery<T>(sql.replaceAll('`db`', `\`${database.name}\``), values);

  beforeAll(async () => {
    database = await createThrowawayDatabase(`${c.service}_db_ids`);
    const migrations = join(prismaDir, c.service, 'migrations');
    initOnly = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(join(migrations, 'migration_lock.toml'), join(initOnly, 'migration_lock.toml'));
    cpSync(join(migrations, INIT), join(initOnly, INIT), { recursive: true });
    await applyMigrations({ databaseUrl: database.url, migrationsDir: initOnly, logger });

    const row = c.legacyRow(id, ref);
    await query(row.sql.replace(/INSERT INTO (\w+)/, 'INSERT INTO `db`.$1'), row.values);
    // Two events of one aggregate, the second keyed by the id as a client spelled it.
    for (const [version, aggregateId] of [[1, id], [2, id.toUpperCase()]] as const) {
      await query(
        `INSERT INTO \`db\`.outbox_event (event_id, aggregate_id, version, event_type, topic, correlation_id, envelope, created_at)
          VALUES (?, ?, ?, 'Legacy', 'legacy.event', 'req-1', '{}', ?)`,
        [randomUUID(), aggregateId, version, now],
      );
    }
    const { applied } = await applyMigrations({ databaseUrl: database.url, migrationsDir: migrations, logger });
    expect(applied).toContain('20261207100000_binary_identifiers');
  });
  afterAll(async () => {
    await database.drop();
    rmSync(initOnly, { recursive: true, force: true });
  });

  it('gives id and identifier columns a binary collation, keeping their types', async () => {
    const expected = { ...c.binaryColumns, outbox_event: ['event_id', 'aggregate_id'] };
    const rows = await query<{ TABLE_NAME: string; COLUMN_NAME: string; COLUMN_TYPE: string; COLLATION_NAME: string }[]>(
      `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?`,
      [database.name],
    );
    for (const [table, columns] of Object.entries(expected)) {
      for (const column of columns) {
        const found = rows.find((r) => r.TABLE_NAME === table && r.COLUMN_NAME === column);
        expect({ table, column, collation: found?.COLLATION_NAME, type: found?.COLUMN_TYPE }).toEqual({
          table,
          column,
          collation: 'utf8mb4_bin',
          type: FREE_FORM_IDENTIFIERS.includes(column) ? 'varchar(64)' : 'char(36)',
        });
      }
    }
  });

  it('lower-cases aggregate ids already stored, and leaves other identifiers as written', async () => {
    const outbox = await query<{ aggregate_id: string; version: number }[]>(
      'SELECT aggregate_id, version FROM `db`.outbox_event ORDER BY version',
    );
    expect(outbox.map((r) => [r.aggregate_id, r.version])).toEqual([
      [id, 1],
      [id, 2],
    ]);
    const [row] = await query<Record<string, string>[]>(
      `SELECT ${c.refColumns.join(', ')} FROM \`db\`.${c.aggregateTable} WHERE id = ?`,
      [id],
    );
    const expected: Record<string, string> = {
      order_id: ref.toLowerCase(),
      dispatch_id: ref.toLowerCase(),
      rider_id: 'Rider-7',
      customer_id: 'Customer-1',
    };
    expect(row).toEqual(Object.fromEntries(c.refColumns.map((column) => [column, expected[column]])));
  });

  it('compares ids by bytes: another letter case finds nothing', async () => {
    const count = async (sql: string, value: string) => Number((await query<{ n: bigint }[]>(sql, [value]))[0]?.n);
    expect(await count(`SELECT COUNT(*) AS n FROM \`db\`.${c.aggregateTable} WHERE id = ?`, id)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM \`db\`.${c.aggregateTable} WHERE id = ?`, id.toUpperCase())).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM `db`.outbox_event WHERE aggregate_id = ?', id.toUpperCase())).toBe(0);
    const [column, written] = c.service === 'order' ? ['customer_id', 'Customer-1'] : ['rider_id', 'Rider-7'];
    expect(await count(`SELECT COUNT(*) AS n FROM \`db\`.${c.aggregateTable} WHERE ${column} = ?`, written)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM \`db\`.${c.aggregateTable} WHERE ${column} = ?`, written.toLowerCase())).toBe(0);
  });
});
