import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One folder of Prisma's layout: `migrations/<yyyymmddhhmmss>_<name>/migration.sql`. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, as `prisma migrate` records it. */
  checksum: string;
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** The migrations of a folder in name (= time) order. */
export function readMigrationFiles(migrationsDir: string): MigrationFile[] {
  if (!existsSync(join(migrationsDir, 'migration_lock.toml'))) {
    throw new Error(`${migrationsDir} is not a Prisma migrations folder (no migration_lock.toml)`);
  }
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}
