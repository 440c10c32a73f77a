import type { AggregateState } from '../domain/decider.ts';

/** How one aggregate is stored: the service's typed Prisma client behind three calls. */
export interface AggregateRepository<S extends AggregateState, Tx> {
  load: (db: Tx, id: string) => Promise<S | undefined>;
  /** The aggregates of these ids that exist, in one query (the query API's batch lookup). */
  loadMany: (db: Tx, ids: readonly string[]) => Promise<S[]>;
  insert: (tx: Tx, state: S) => Promise<void>;
  /** Writes `state` only if the stored version is still `expectedVersion`; false when it is not. */
  update: (tx: Tx, state: S, expectedVersion: number) => Promise<boolean>;
}
