import { connectDriverDatabase } from '../src/db/driverDatabase.ts';
import type { SqlExecutor } from '../src/db/sqlExecutor.ts';

/**
 * command-kit's SqlExecutor for the kit's own tests: the services' client
 * (`connectDriverDatabase`, the plain mariadb driver), so the outbox, relay and idempotency
 * suites run the SQL exactly as production does.
 */
export interface TestExecutor extends SqlExecutor {
  end(): Promise<void>;
}

export function mariadbExecutor(databaseUrl: string): TestExecutor {
  const db = connectDriverDatabase(databaseUrl);
  return {
    $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => db.$queryRawUnsafe<T>(sql, ...values),
    $executeRawUnsafe: (sql: string, ...values: unknown[]) => db.$executeRawUnsafe(sql, ...values),
    end: () => db.$disconnect(),
  };
}
