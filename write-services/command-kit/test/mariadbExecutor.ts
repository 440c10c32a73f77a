import { createPool, type Pool } from 'mariadb';
import { connectionConfig } from '../src/db/connectionConfig.ts';
import type { SqlExecutor } from '../src/db/sqlExecutor.ts';

/**
 * command-kit's SqlExecutor over the plain mariadb driver, for the kit's own tests (the
 * services' tests use their generated Prisma clients).
 */
export interface TestExecutor extends SqlExecutor {
  end(): Promise<void>;
}

export function mariadbExecutor(databaseUrl: string): TestExecutor {
  const pool: Pool = createPool({ ...connectionConfig(databaseUrl), connectionLimit: 5 });
  return {
    $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) => pool.query<T>(sql, values),
    $executeRawUnsafe: async (sql: string, ...values: unknown[]) =>
      (await pool.query<{ affectedRows: number }>(sql, values)).affectedRows,
    end: () => pool.end(),
  };
}
