import type { ExistingAggregate } from '../domain/decider.ts';
import type { AggregateRepository } from './aggregateRepository.ts';

/** The columns every aggregate table has, as Prisma reads them; mapped here for every service. */
interface AggregateRow {
  id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The same columns as Prisma writes them (in a model's `CreateInput`). */
interface AggregateRowInput {
  id: string;
  version: number;
  createdAt: Date | string;
  updatedAt: Date | string;
}

/** The columns only this aggregate has: what its service maps. */
type OwnColumns<Data> = Omit<Data, keyof AggregateRowInput>;

/** What an update writes: a row's `id` and `createdAt` never change. */
type ChangedColumns<Data> = OwnColumns<Data> & Pick<AggregateRowInput, 'version' | 'updatedAt'>;

/**
 * What command-kit needs of a generated Prisma model delegate (`tx.order` etc.): find by
 * id, create, and the version-guarded update. Prisma's generic methods satisfy it.
 */
export interface VersionedDelegate<Row, Data> {
  findUnique(args: { where: { id: string } }): PromiseLike<Row | null>;
  findMany(args: { where: { id: { in: string[] } } }): PromiseLike<Row[]>;
  /** `createMany` of one row, not `create`: `create` reads the row back, one more round trip per command. */
  createMany(args: { data: (OwnColumns<Data> & AggregateRowInput)[] }): PromiseLike<{ count: number }>;
  updateMany(args: { where: { id: string; version: number }; data: ChangedColumns<Data> }): PromiseLike<{ count: number }>;
}

/**
 * An aggregate repository over one Prisma model. The service maps only what its aggregate
 * defines; the row's `id` (the state's `idField`), the version, the ISO-8601 ⇄ `Date`
 * timestamps and the optimistic version check live here once.
 */
export function prismaRepository<
  S extends ExistingAggregate & Record<K, string>,
  K extends string,
  Tx,
  Row extends AggregateRow,
  Data extends AggregateRowInput,
>(spec: {
  /** The state's field that holds the row's `id`, e.g. `orderId`. */
  idField: K;
  delegate: (db: Tx) => VersionedDelegate<Row, Data>;
  /** The aggregate's own fields, from its row. */
  toState: (row: Row) => Omit<S, K | 'version' | 'createdAt' | 'updatedAt'>;
  /** The aggregate's own columns, from its state. */
  toRow: (state: S) => OwnColumns<Data>;
}): AggregateRepository<S, Tx> {
  const changedColumns = (state: S): ChangedColumns<Data> => ({
    ...spec.toRow(state),
    version: state.version,
    updatedAt: new Date(state.updatedAt),
  });
  const stateOf = (row: Row): S => {
    const { version, createdAt, updatedAt } = row;
    // TypeScript does not see that the id, the own fields and the common ones make up S.
    return {
      [spec.idField]: row.id,
      ...spec.toState(row),
      version,
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    } as S;
  };
  return {
    async load(db, id) {
      const row = await spec.delegate(db).findUnique({ where: { id } });
      return row ? stateOf(row) : undefined;
    },
    async loadMany(db, ids) {
      if (ids.length === 0) return [];
      return (await spec.delegate(db).findMany({ where: { id: { in: [...ids] } } })).map(stateOf);
    },
    async insert(tx, state) {
      const data = { id: state[spec.idField], createdAt: new Date(state.createdAt), ...changedColumns(state) };
      await spec.delegate(tx).createMany({ data: [data] });
    },
    async update(tx, state, expectedVersion) {
      const where = { id: state[spec.idField], version: expectedVersion };
      const { count } = await spec.delegate(tx).updateMany({ where, data: changedColumns(state) });
      return count === 1;
    },
  };
}
