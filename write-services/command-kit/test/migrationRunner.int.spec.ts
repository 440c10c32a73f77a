import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@delivery/runtime-kit';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { checksumOf } from '../src/migrations/migrationFiles.ts';
import { applyMigrations, MigrationRefused } from '../src/migrations/migrationRunner.ts';
import { adminQuery, createThrowawayDatabase, type ThrowawayDatabase } from '@delivery/test-support';

const orderMigrations = join(import.meta.dirname, '../../../prisma/order/migrations');
const logger = createLogger('migration-runner-test', 'silent');

interface BookkeepingRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}

describe('migration runner', () => {
  let database: ThrowawayDatabase;
  let migrationsDir: string;
  const bookkeeping = () =>
    adminQuery<BookkeepingRow[]>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM \`${database.name}\`._prisma_migrations ORDER BY migration_name`,
    );
  const migrate = () => applyMigrations({ databaseUrl: database.url, migrationsDir, logger });

  beforeEach(async () => {
    database = await createThrowawayDatabase('migrate');
    migrationsDir = mkdtempSync(join(tmpdir(), 'migrations-'));
    // The runner's own story on the first migration alone; later ones would change the bookkeeping expected here.
    cpSync(join(orderMigrations, 'migration_lock.toml'), join(migrationsDir, 'migration_lock.toml'));
    cpSync(join(orderMigrations, '20261127100000_init'), join(migrationsDir, '20261127100000_init'), { recursive: true });
  });
  afterEach(async () => {
    await database.drop();
    rmSync(migrationsDir, { recursive: true, force: true });
  });

  it('given a fresh schema when migrating then every folder is applied and booked like prisma migrate deploy', async () => {
    expect(await migrate()).toEqual({ applied: ['20261127100000_init'] });
    const rows = await bookkeeping();
    const sql = readFileSync(join(migrationsDir, '20261127100000_init/migration.sql'), 'utf8');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ migration_name: '20261127100000_init', checksum: checksumOf(sql), applied_steps_count: 1 });
    expect(rows[0]?.finished_at).toBeInstanceOf(Date);
  });

  it('given an up-to-date schema when migrating again then nothing is applied', async () => {
    await migrate();
    expect(await migrate()).toEqual({ applied: [] });
    expect(await bookkeeping()).toHaveLength(1);
  });

  it('given a new folder when migrating then only it is applied, after the earlier ones', async () => {
    await migrate();
    mkdirSync(join(migrationsDir, '20261201000000_add_column'));
    writeFileSync(join(migrationsDir, '20261201000000_add_column/migration.sql'), 'ALTER TABLE `orders` ADD COLUMN `extra` INTEGER NULL;\n');
    expect(await migrate()).toEqual({ applied: ['20261201000000_add_column'] });
    expect((await bookkeeping()).map((r) => r.migration_name)).toEqual(['20261127100000_init', '20261201000000_add_column']);
  });

  it('given an applied migration whose file changed when migrating then it refuses to start', async () => {
    await migrate();
    const file = join(migrationsDir, '20261127100000_init/migration.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited after the fact\n`);
    await expect(migrate()).rejects.toThrow(MigrationRefused);
    await expect(migrate()).rejects.toThrow(/was modified after it was applied/);
  });

  it('given a migration that fails when migrating then it is booked unfinished and later starts are refused', async () => {
    await migrate();
    mkdirSync(join(migrationsDir, '20261201000000_broken'));
    writeFileSync(join(migrationsDir, '20261201000000_broken/migration.sql'), 'ALTER TABLE `no_such_table` ADD COLUMN `x` INTEGER;\n');
    await expect(migrate()).rejects.toThrow(/20261201000000_broken failed/);
    const broken = (await bookkeeping()).find((r) => r.migration_name === '20261201000000_broken');
    expect(broken?.finished_at).toBeNull();
    await expect(migrate()).rejects.toThrow(/failed earlier and was not resolved/);
  });

  it('given two instances starting at once when migrating then the schema is migrated once', async () => {
    const results = await Promise.all([migrate(), migrate(), migrate()]);
    expect(results.flatMap((r) => r.applied)).toEqual(['20261127100000_init']);
    expect(await bookkeeping()).toHaveLength(1);
  });

  it('given a folder without migration_lock.toml when migrating then it refuses', async () => {
    rmSync(join(migrationsDir, 'migration_lock.toml'));
    await expect(migrate()).rejects.toThrow(/not a Prisma migrations folder/);
  });
});
