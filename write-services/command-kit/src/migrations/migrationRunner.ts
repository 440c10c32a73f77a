import { randomUUID } from 'node:crypto';
import { createConnection, type Connection } from 'mariadb';
import type { Logger } from '@delivery/runtime-kit';
import { connectionConfig } from '../db/connectionConfig.ts';
import { type MigrationFile, readMigrationFiles } from './migrationFiles.ts';

/**
 * Applies Prisma-layout migrations with the bookkeeping of `prisma migrate deploy`
 * (`_prisma_migrations`), so that a team with Prisma's schema engine takes over unchanged:
 * pending folders in name order, under GET_LOCK('prisma_migrate'), and a refusal to start
 * when an applied migration's file changed or an earlier one failed half-way.
 */
export class MigrationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefused';
  }
}

const BOOKKEEPING_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
  id VARCHAR(36) PRIMARY KEY NOT NULL,
  checksum VARCHAR(64) NOT NULL,
  finished_at DATETIME(3) NULL,
  migration_name VARCHAR(255) NOT NULL,
  logs TEXT NULL,
  rolled_back_at DATETIME(3) NULL,
  started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  applied_steps_count INT UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrateOptions {
  databaseUrl: string;
  migrationsDir: string;
  logger: Logger;
  lockTimeoutSeconds?: number;
}

export async function applyMigrations(options: MigrateOptions): Promise<{ applied: string[] }> {
  const files = readMigrationFiles(options.migrationsDir);
  const connection = await createConnection({ ...connectionConfig(options.databaseUrl), multipleStatements: true });
  try {
    const [lock] = await connection.query<{ locked: number | bigint | null }[]>(
      'SELECT GET_LOCK(?, ?) AS locked',
      ['prisma_migrate', options.lockTimeoutSeconds ?? 10],
    );
    if (Number(lock?.locked) !== 1) throw new MigrationRefused('could not take the prisma_migrate lock in time');
    try {
      return { applied: await applyPending(connection, files, options.logger) };
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', ['prisma_migrate']);
    }
  } finally {
    await connection.end();
  }
}

async function applyPending(connection: Connection, files: MigrationFile[], logger: Logger): Promise<string[]> {
  await connection.query(BOOKKEEPING_TABLE);
  const rows = await connection.query<AppliedRow[]>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
  );
  const live = rows.filter((row) => row.rolled_back_at === null);
  const failed = live.find((row) => row.finished_at === null);
  if (failed) {
    throw new MigrationRefused(
      `migration ${failed.migration_name} failed earlier and was not resolved; fix the schema by hand and mark it rolled back`,
    );
  }
  const applied = new Map(live.map((row) => [row.migration_name, row.checksum]));
  for (const file of files) {
    const checksum = applied.get(file.name);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new MigrationRefused(
        `migration ${file.name} was modified after it was applied (checksum ${checksum} in the database, ${file.checksum} on disk)`,
      );
    }
  }
  const pending = files.filter((file) => !applied.has(file.name));
  for (const file of pending) {
    const id = randomUUID();
    await connection.query(
      'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, UTC_TIMESTAMP(3), 0)',
      [id, file.checksum, file.name],
    );
    try {
      await connection.query(file.sql);
    } catch (error) {
      await connection.query('UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [String(error), id]);
      throw new MigrationRefused(`migration ${file.name} failed: ${(error as Error).message}`);
    }
    await connection.query(
      'UPDATE _prisma_migrations SET finished_at = UTC_TIMESTAMP(3), applied_steps_count = 1 WHERE id = ?',
      [id],
    );
    logger.info({ migration: file.name }, 'migration applied');
  }
  return pending.map((file) => file.name);
}
