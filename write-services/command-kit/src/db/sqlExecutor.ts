/**
 * The slice of a generated Prisma client (or of its transaction client) that command-kit
 * needs. Each service has its own generated client; the shared tables (outbox, lease,
 * idempotency) are declared in every service's schema.prisma and reached through raw,
 * parameterised SQL, so the kit works with any of the three clients.
 */
export interface SqlExecutor {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

export interface DatabaseClient<Tx extends SqlExecutor> extends SqlExecutor {
  $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: TransactionOptions): Promise<R>;
  $disconnect(): Promise<void>;
}
