/**
 * What command-kit needs of a database client (or of one of its transactions): parameterised
 * SQL. The services run on `connectDriverDatabase` (the plain mariadb driver); the names are
 * Prisma's, whose client has the same two methods (and ran the write path before). The
 * shared tables (outbox, lease, idempotency) are declared in every service's schema.prisma
 * and reached through this raw SQL, so the kit works with every service's schema.
 */
export interface SqlExecutor {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  /**
   * A write whose answer nobody reads (the aggregate's INSERT, the outbox rows): a
   * transaction sends it with its next write or its COMMIT, in one round trip, and it fails
   * that statement, so the transaction, if it fails. Absent (a pool, Prisma's client):
   * `executeLater` runs it at once.
   */
  $executeLater?(query: string, ...values: unknown[]): void;
}

/** Queues `query` with the transaction's next write or COMMIT where the executor can, else runs it now. */
export async function executeLater(db: SqlExecutor, query: string, ...values: unknown[]): Promise<void> {
  if (db.$executeLater) db.$executeLater(query, ...values);
  else await db.$executeRawUnsafe(query, ...values);
}

export interface TransactionOptions {
  /** How long to wait for a connection, ms (the driver client: its pool's acquireTimeout). */
  maxWait?: number;
  /** How long the transaction may stay open, ms; past it, it is rolled back. */
  timeout?: number;
}

export interface DatabaseClient<Tx extends SqlExecutor> extends SqlExecutor {
  $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: TransactionOptions): Promise<R>;
  $disconnect(): Promise<void>;
}
