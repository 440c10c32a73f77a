import type { AggregateState } from '../domain/decider.ts';
import type { AggregateRepository } from '../service/writeServiceDefinition.ts';

/**
 * What command-kit needs of a generated Prisma model delegate (`tx.order` etc.): find by
 * id, create, and the version-guarded update. Prisma's generic methods satisfy it.
 */
export interface VersionedDelegate<Row, Data> {
  findUnique(args: { where: { id: string } }): PromiseLike<Row | null>;
  create(args: { data: Data }): PromiseLike<unknown>;
  updateMany(args: { where: { id: string; version: number }; data: Omit<Data, 'id' | 'createdAt'> }): PromiseLike<{ count: number }>;
}

/**
 * An aggregate repository over one Prisma model: the service supplies only the mapping
 * between its state and its row; the optimistic version check lives here once.
 */
export function prismaRepository<S extends AggregateState, Tx, Row, Data extends { id: string; createdAt: Date }>(spec: {
  delegate: (db: Tx) => VersionedDelegate<Row, Data>;
  toState: (row: Row) => S;
  toRow: (state: S) => Data;
}): AggregateRepository<S, Tx> {
  return {
    async load(db, id) {
      const row = await spec.delegate(db).findUnique({ where: { id } });
      return row ? spec.toState(row) : undefined;
    },
    async insert(tx, state) {
      await spec.delegate(tx).create({ data: spec.toRow(state) });
    },
    async update(tx, state, expectedVersion) {
      const { id, createdAt: _createdAt, ...changes } = spec.toRow(state);
      const { count } = await spec.delegate(tx).updateMany({ where: { id, version: expectedVersion }, data: changes });
      return count === 1;
    },
  };
}
