import { createPool, type Pool, type PoolConnection } from 'mariadb';
import { poolConfig } from './connectionConfig.ts';
import type { DatabaseClient, SqlExecutor, TransactionOptions } from './sqlExecutor.ts';

/**
 * A write service's database client on the plain `mariadb` driver (decision
 * write-path-on-the-driver.md): `$queryRawUnsafe`/`$executeRawUnsafe` run one parameterised
 * statement (binary protocol, the connection's prepare cache) in a transaction of its own,
 * and `$transaction` runs an interactive transaction (the callback's statements on one
 * connection, COMMIT, ROLLBACK on any error). It is the slice of Prisma's client command-kit
 * always used, minus Prisma's query engine: the same SQL, the same pool settings.
 *
 * Two pools. Single statements (idempotency claims, the relay, readiness, the query API) run
 * on autocommit connections. Transactions run on connections with autocommit off: InnoDB
 * opens the transaction at the first statement, so a command needs no BEGIN round trip
 * (BEGIN, INSERT, INSERT, COMMIT becomes INSERT, INSERT, COMMIT), and nothing on those
 * connections can commit but our COMMIT (a statement can never slip out of its
 * transaction, whatever failed before it).
 *
 * Values, both ways, as Prisma's raw queries had them and independent of the process's time
 * zone: a `Date` parameter is written as UTC (`YYYY-MM-DD HH:MM:SS.mmm`), a DATETIME,
 * TIMESTAMP or DATE column is read as a `Date` in UTC; BIGINT (and COUNT(*)) as `bigint`,
 * DECIMAL as a string, JSON as its text; `$executeRawUnsafe` answers the rows matched
 * (`foundRows`), a `number`.
 */
export type DriverDatabase = DatabaseClient<SqlExecutor> & SqlExecutor;

/** A transaction that outlived its `timeout`: it was rolled back, nothing of it committed. */
export class TransactionTimedOut extends Error {
  readonly code = 'TRANSACTION_TIMEOUT';

  constructor(timeoutMs: number) {
    super(`transaction timed out after ${timeoutMs} ms and was rolled back`);
    this.name = 'TransactionTimedOut';
  }
}

/** Prisma's interactive-transaction default. */
const DEFAULT_TIMEOUT_MS = 5000;
/** Single statements are short and, on the command path, one per keyed command (its claim). */
const STATEMENT_CONNECTIONS = 4;

export function connectDriverDatabase(databaseUrl: string): DriverDatabase {
  const settings = {
    ...poolConfig(databaseUrl),
    // Dates are converted here (UTC), not by the driver (the process's local time zone).
    dateStrings: true,
    // JSON columns as text: the SQL repository parses the columns it declares as Json.
    autoJsonMap: false,
    // UPDATE answers the rows it matched, not only those it changed (the version check counts matches).
    foundRows: true,
    // A failed statement's message names the statement, never its values (addresses, notes).
    logParam: false,
  };
  const statements = createPool({ ...settings, connectionLimit: STATEMENT_CONNECTIONS, minimumIdle: 1 });
  // Several statements per query only here: a transaction's queued writes go out with its next write or its COMMIT.
  const transactions = createPool({ ...settings, initSql: 'SET autocommit = 0', multipleStatements: true });
  return {
    ...poolExecutor(statements),
    $transaction: (fn, options) => transaction(transactions, fn, options),
    $disconnect: async () => {
      await Promise.all([statements.end(), transactions.end()]);
    },
  };
}

/** A `Date` as a DATETIME(3) literal in UTC. */
export function utcDateTime(date: Date): string {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** A DATETIME or DATE text from the server (`dateStrings`) as the UTC instant it stands for. */
export function parseUtcDateTime(text: string): Date {
  return new Date(text.length === 10 ? `${text}T00:00:00Z` : `${text.slice(0, 10)}T${text.slice(11)}Z`);
}

interface Runner {
  query<T>(sql: string, values?: unknown[]): Promise<T>;
  execute<T>(sql: string, values?: unknown[]): Promise<T>;
}

function poolExecutor(pool: Pool): SqlExecutor {
  return {
    $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => queryRows<T>(pool, sql, values),
    $executeRawUnsafe: (sql: string, ...values: unknown[]) => executeStatement(pool, sql, values),
  };
}

/**
 * One statement: prepared and executed (binary protocol, cached per connection) when it has
 * parameters, sent as text when it has none (`SELECT 1`, `BEGIN`: nothing to prepare).
 */
function run<T>(runner: Runner, sql: string, values: unknown[]): Promise<T> {
  if (values.length === 0) return runner.query<T>(sql);
  return runner.execute<T>(sql, asParameters(values));
}

/** Statement parameters as the server takes them: a `Date` as UTC text, `undefined` as NULL (in place). */
function asParameters(values: unknown[]): unknown[] {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value instanceof Date) values[i] = utcDateTime(value);
    else if (value === undefined) values[i] = null;
  }
  return values;
}

/**
 * Writes a transaction queued (`$executeLater`), to go out in one text query with the next
 * write or the COMMIT: the server runs a query's statements in order and stops at the first
 * that fails, so a failed queued INSERT fails that query and nothing after it runs (COMMIT
 * included). Text protocol, values escaped by the driver; nothing to prepare.
 */
class WriteQueue {
  #sql: string[] = [];
  #values: unknown[] = [];

  get size(): number {
    return this.#sql.length;
  }

  add(sql: string, values: unknown[]): void {
    this.#sql.push(sql);
    for (const value of asParameters(values)) this.#values.push(value);
  }

  /** The queued writes then `sql` as one query (the queue emptied); `sql`'s answer is the last result. */
  take(sql?: string, values: unknown[] = []): { sql: string; values: unknown[] } {
    const statements = sql === undefined ? this.#sql : [...this.#sql, sql];
    const taken = { sql: statements.join(';\n'), values: [...this.#values, ...asParameters(values)] };
    this.#sql = [];
    this.#values = [];
    return taken;
  }
}

type Result = { affectedRows?: number | bigint };

/** The last statement's answer of a query that ran several (the driver answers an array of them). */
function lastResult(results: Result | Result[]): Result {
  return Array.isArray(results) ? (results.at(-1) ?? {}) : results;
}

async function queryRows<T>(runner: Runner, sql: string, values: unknown[]): Promise<T> {
  const rows = await run<unknown>(runner, sql, values);
  if (Array.isArray(rows)) datesAsUtc(rows as Record<string, unknown>[] & { meta?: unknown });
  return rows as T;
}

async function executeStatement(runner: Runner, sql: string, values: unknown[]): Promise<number> {
  const result = await run<{ affectedRows?: number | bigint }>(runner, sql, values);
  return Number(result.affectedRows ?? 0);
}

interface ColumnMeta {
  type: string;
  name(): string;
}

const DATE_TYPES = new Set(['DATETIME', 'DATETIME2', 'TIMESTAMP', 'TIMESTAMP2', 'DATE', 'NEWDATE']);

/** Replaces the text of every date column (the result's `meta` says which) by its `Date`, in UTC. */
function datesAsUtc(rows: Record<string, unknown>[] & { meta?: unknown }): void {
  const meta = rows.meta as ColumnMeta[] | undefined;
  if (meta === undefined || rows.length === 0) return;
  let dateColumns: string[] | undefined;
  for (const column of meta) if (DATE_TYPES.has(column.type)) (dateColumns ??= []).push(column.name());
  if (dateColumns === undefined) return;
  for (const row of rows) {
    for (const name of dateColumns) {
      const value = row[name];
      if (typeof value === 'string') row[name] = parseUtcDateTime(value);
    }
  }
}

/**
 * `fn` on one autocommit-off connection, then COMMIT; any error rolls back and is rethrown as
 * is (the driver's, e.g. ER_LOCK_DEADLOCK 1213, or the callback's own). `maxWait` is the
 * pool's `acquireTimeout` (poolConfig, the 3 s every caller asks for). Past `timeout` the
 * transaction is rolled back at once (its locks released even while the callback still
 * waits on something else), its further statements fail, and it ends in TransactionTimedOut.
 * The driver sends COMMIT and ROLLBACK only when the server reports a transaction open (or a
 * statement is still under way), so one that ran no statement costs no round trip. Queued
 * writes (`$executeLater`) go out with the next `$executeRawUnsafe` (its answer the last of
 * the query's), before the next `$queryRawUnsafe`, or with the COMMIT: PlaceOrder's INSERT,
 * INSERT, COMMIT is one round trip.
 */
async function transaction<R>(pool: Pool, fn: (tx: SqlExecutor) => Promise<R>, options?: TransactionOptions): Promise<R> {
  const timeoutMs = options?.timeout ?? DEFAULT_TIMEOUT_MS;
  const conn = await pool.getConnection();
  let state: 'open' | 'expired' | 'ended' = 'open';
  // A function, not a comparison: TypeScript would not see the timer change `state`.
  const expired = () => state === 'expired';
  let expiry: Promise<unknown> | undefined;
  const queue = new WriteQueue();
  const tx: SqlExecutor = {
    $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) => {
      if (state !== 'open') throw new TransactionTimedOut(timeoutMs);
      // A read sees the queued writes: they go first (rows from a multi-statement answer are not worth the parsing).
      if (queue.size > 0) {
        const queued = queue.take();
        await conn.query(queued.sql, queued.values);
      }
      return queryRows<T>(conn, sql, values);
    },
    $executeRawUnsafe: async (sql: string, ...values: unknown[]) => {
      if (state !== 'open') throw new TransactionTimedOut(timeoutMs);
      if (queue.size === 0) return executeStatement(conn, sql, values);
      const queued = queue.take(sql, values);
      return Number(lastResult(await conn.query<Result | Result[]>(queued.sql, queued.values)).affectedRows ?? 0);
    },
    $executeLater: (sql: string, ...values: unknown[]) => {
      if (state !== 'open') throw new TransactionTimedOut(timeoutMs);
      queue.add(sql, values);
    },
  };
  const timer = setTimeout(() => {
    if (state !== 'open') return;
    state = 'expired';
    // Queued behind a statement in progress, if any: the driver runs a connection's commands in order.
    expiry = conn.rollback().catch(() => undefined);
  }, timeoutMs);
  try {
    const result = await fn(tx);
    if (expired()) throw new TransactionTimedOut(timeoutMs);
    state = 'ended';
    clearTimeout(timer);
    if (queue.size === 0) await conn.commit();
    else {
      const queued = queue.take('COMMIT');
      await conn.query(queued.sql, queued.values).catch(async (error: unknown) => {
        // A queued write the server refused: nothing after it ran, COMMIT neither; the
        // transaction is rolled back here. A lost connection leaves the outcome unknown (below).
        if ((error as { fatal?: boolean }).fatal === false) await conn.rollback().catch(() => undefined);
        throw error;
      });
    }
    return result;
  } catch (error) {
    clearTimeout(timer);
    if (expired()) {
      await expiry;
      throw new TransactionTimedOut(timeoutMs);
    }
    // After COMMIT failed nothing is rolled back here: the outcome is unknown (a lost
    // connection), and the pool rolls back or discards the connection on release anyway.
    if (state === 'open') await conn.rollback().catch(() => undefined);
    throw error;
  } finally {
    state = 'ended';
    release(conn);
  }
}

/** Back to the pool; the pool discards a broken connection and rolls back one left in a transaction. */
function release(conn: PoolConnection): void {
  conn.release().catch(() => undefined);
}
