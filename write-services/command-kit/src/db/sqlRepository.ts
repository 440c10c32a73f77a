import type { ExistingAggregate } from '../domain/decider.ts';
import type { AggregateRepository } from './aggregateRepository.ts';
import { parseUtcDateTime, utcDateTime } from './driverDatabase.ts';
import { executeLater, type SqlExecutor } from './sqlExecutor.ts';
import type { ColumnType, TableDescription } from './tableDescription.ts';

/** The columns every aggregate table has, by their schema.prisma field names. */
interface AggregateRow {
  id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns only this aggregate has: what its service maps. */
export type OwnColumns<Row> = Omit<Row, keyof AggregateRow>;

type Convert = (value: unknown) => unknown;

/** Column value → row value, for the types the driver does not already answer as the row type says. */
const FROM_COLUMN: Partial<Record<ColumnType, Convert>> = {
  Json: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
  Boolean: (value) => (value === null ? null : Boolean(value)),
  DateTime: (value) => (typeof value === 'string' ? parseUtcDateTime(value) : value),
};

/** Row value → statement parameter. */
const TO_COLUMN: Partial<Record<ColumnType, Convert>> = {
  Json: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
  DateTime: (value) => (value instanceof Date ? utcDateTime(value) : value),
};

const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/**
 * An aggregate repository over one table, in plain SQL through any SqlExecutor (the driver
 * client's pool or transaction). The table comes from schema.prisma (generated/tables.ts),
 * so the statements name what the migrations created; the service maps only what its
 * aggregate defines, from and to its row (field names, TypeScript types as the schema
 * declares them). The row's `id` (the state's `idField`), the version, the ISO-8601 ⇄
 * `Date` timestamps and the optimistic version check live here once:
 * - load: `SELECT … WHERE id = ?`; loadMany: `… WHERE id IN (…)`;
 * - insert: one `INSERT` of every column (sent with the transaction's next write or COMMIT);
 * - update: `UPDATE … SET <all but id and created_at> WHERE id = ? AND version = ?`, true
 *   when it matched the row (the stored version was still the expected one).
 */
export function sqlRepository<S extends ExistingAggregate & Record<K, string>, K extends string, Row extends AggregateRow>(spec: {
  /** The state's field that holds the row's `id`, e.g. `orderId`. */
  idField: K;
  table: TableDescription<Row>;
  /** The aggregate's own fields, from its row. */
  toState: (row: Row) => Omit<S, K | 'version' | 'createdAt' | 'updatedAt'>;
  /** The aggregate's own columns, from its state. */
  toRow: (state: S) => OwnColumns<Row>;
}): AggregateRepository<S, SqlExecutor> {
  const { table } = spec;
  if (table.primaryKey.length !== 1 || table.primaryKey[0] !== 'id') {
    throw new Error(`${table.model}: an aggregate table's primary key is its one \`id\` field, not (${table.primaryKey.join(', ')})`);
  }
  const fields = Object.keys(table.columns) as (keyof Row & string)[];
  const columnOf = (field: keyof Row & string) => quote(table.columns[field].column);
  for (const field of ['id', 'version', 'createdAt', 'updatedAt'] as const) {
    if (!fields.includes(field)) throw new Error(`${table.model}: an aggregate table has a \`${field}\` field`);
  }
  const name = quote(table.table);
  const id = columnOf('id');
  const selected = fields.map((field) => `${columnOf(field)} AS ${quote(field)}`).join(', ');
  const select = `SELECT ${selected} FROM ${name} WHERE ${id}`;
  const insert = `INSERT INTO ${name} (${fields.map(columnOf).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`;
  const changed = fields.filter((field) => field !== 'id' && field !== 'createdAt');
  const update = `UPDATE ${name} SET ${changed.map((field) => `${columnOf(field)} = ?`).join(', ')} WHERE ${id} = ? AND ${columnOf('version')} = ?`;

  const reads = fields.flatMap((field) => {
    const convert = FROM_COLUMN[table.columns[field].type];
    return convert ? [[field, convert] as const] : [];
  });
  const writes = fields.map((field) => TO_COLUMN[table.columns[field].type]);
  const changedWrites = changed.map((field) => TO_COLUMN[table.columns[field].type]);

  const stateOf = (raw: Record<string, unknown>): S => {
    for (const [field, convert] of reads) raw[field] = convert(raw[field]);
    const row = raw as unknown as Row;
    // TypeScript does not see that the id, the own fields and the common ones make up S.
    return {
      [spec.idField]: row.id,
      ...spec.toState(row),
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    } as S;
  };
  const rowOf = (state: S): Record<string, unknown> => ({
    ...spec.toRow(state),
    id: state[spec.idField],
    version: state.version,
    createdAt: new Date(state.createdAt),
    updatedAt: new Date(state.updatedAt),
  });
  const parameter = (row: Record<string, unknown>, field: string, convert: Convert | undefined) => {
    const value = row[field] ?? null; // a field left out is NULL, as Prisma wrote it
    return convert ? convert(value) : value;
  };

  return {
    async load(db, aggregateId) {
      const [raw] = await db.$queryRawUnsafe<Record<string, unknown>[]>(`${select} = ?`, aggregateId);
      return raw ? stateOf(raw) : undefined;
    },
    async loadMany(db, ids) {
      if (ids.length === 0) return [];
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`${select} IN (${ids.map(() => '?').join(', ')})`, ...ids);
      return rows.map(stateOf);
    },
    async insert(tx, state) {
      const row = rowOf(state);
      // Nothing reads its answer: a failure (a duplicate id) fails the next write or the COMMIT.
      await executeLater(tx, insert, ...fields.map((field, i) => parameter(row, field, writes[i])));
    },
    async update(tx, state, expectedVersion) {
      const row = rowOf(state);
      const values = changed.map((field, i) => parameter(row, field, changedWrites[i]));
      return (await tx.$executeRawUnsafe(update, ...values, state[spec.idField], expectedVersion)) === 1;
    },
  };
}
