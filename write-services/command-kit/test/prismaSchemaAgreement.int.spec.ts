import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeTables, renderTables } from '@delivery/infra/prisma-tables';
import { createLogger } from '@delivery/runtime-kit';
import { applyMigrations } from '../src/migrations/migrationRunner.ts';
import { adminQuery, createThrowawayDatabase, type ThrowawayDatabase } from '@delivery/test-support';
import { describeDatabase, describePrismaSchema } from './schemaDescription.ts';

const prismaDir = join(import.meta.dirname, '../../../prisma');
const servicesDir = join(import.meta.dirname, '../..');
const logger = createLogger('schema-agreement-test', 'silent');

/** Each service's own tables: its aggregate, and the facts it keeps of others' (rules across aggregates). */
const ownTables: Record<string, string[]> = {
  order: ['orders', 'reaction_inbox'],
  dispatch: ['dispatches', 'order_facts', 'reaction_inbox'],
  delivery: ['deliveries', 'order_facts', 'dispatch_facts', 'reaction_inbox'],
};

describe.each(['order', 'dispatch', 'delivery'])('prisma/%s: schema.prisma and migrations agree', (service) => {
  let database: ThrowawayDatabase;

  beforeAll(async () => {
    database = await createThrowawayDatabase(`${service}_db_schema`);
    await applyMigrations({ databaseUrl: database.url, migrationsDir: join(prismaDir, service, 'migrations'), logger });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('given the migrations applied to a fresh schema then tables, columns, types, nullability and indexes equal the DMMF', async () => {
    const expected = describePrismaSchema(readFileSync(join(prismaDir, service, 'schema.prisma'), 'utf8'));
    expect(Object.keys(expected).sort()).toEqual(
      [...(ownTables[service] ?? []), 'idempotency_record', 'outbox_event', 'outbox_lease'].sort(),
    );
    expect(await describeDatabase(database.name)).toEqual(expected);
  });

  it('given a column the schema does not declare then the comparison tells them apart', async () => {
    const expected = describePrismaSchema(readFileSync(join(prismaDir, service, 'schema.prisma'), 'utf8'));
    await adminQuery(`ALTER TABLE \`${database.name}\`.outbox_lease ADD COLUMN drift INT NULL`);
    try {
      expect(await describeDatabase(database.name)).not.toEqual(expected);
    } finally {
      await adminQuery(`ALTER TABLE \`${database.name}\`.outbox_lease DROP COLUMN drift`);
    }
  });

  // The SQL repository's statements come from generated/tables.ts (infra/src/codegen/prismaTables.ts).
  it('given the table descriptions the services run on then they are what schema.prisma renders to now', () => {
    const schema = readFileSync(join(prismaDir, service, 'schema.prisma'), 'utf8');
    const generated = readFileSync(join(servicesDir, service, 'src/generated/tables.ts'), 'utf8');
    expect(generated).toBe(renderTables(schema, `prisma/${service}/schema.prisma`));
  });

  it('given the migrated schema then every described table has exactly the described columns (in any order) and primary key', async () => {
    const { tables } = describeTables(readFileSync(join(prismaDir, service, 'schema.prisma'), 'utf8'));
    const actual = await describeDatabase(database.name);
    const described = Object.fromEntries(
      tables.map((t) => [t.table, { columns: t.columns.map((c) => c.column).sort(), primaryKey: t.primaryKey.map((f) => t.columns.find((c) => c.field === f)?.column) }]),
    );
    const migrated = Object.fromEntries(
      Object.entries(actual).map(([name, t]) => [name, { columns: Object.keys(t.columns).sort(), primaryKey: t.indexes.PRIMARY?.columns }]),
    );
    expect(described).toEqual(migrated);
  });

  it('given a description that drifted from the migrations then the comparison tells them apart', () => {
    const schema = readFileSync(join(prismaDir, service, 'schema.prisma'), 'utf8');
    const drifted = schema.replace('@map("created_at")', '@map("created_on")');
    expect(drifted).not.toBe(schema);
    expect(renderTables(drifted, `prisma/${service}/schema.prisma`)).not.toBe(renderTables(schema, `prisma/${service}/schema.prisma`));
  });

  it('has a migration_lock.toml for mysql', () => {
    expect(readFileSync(join(prismaDir, service, 'migrations/migration_lock.toml'), 'utf8')).toMatch(/provider = "mysql"/);
  });
});
