// Smoke test of Prisma Client on MariaDB through the driver adapter (no engine binary):
// the order service's generated client writes a row and reads it back, on a schema
// migrated by the project's own runner.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyMigrations } from '@delivery/command-kit';
import { createLogger } from '@delivery/runtime-kit';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@delivery/test-support';
import { connectOrderDatabase } from '../src/store/orderDatabase.ts';

describe('Prisma Client on MariaDB', () => {
  let database: ThrowawayDatabase;
  let prisma: ReturnType<typeof connectOrderDatabase>;

  beforeAll(async () => {
    database = await createThrowawayDatabase('order_db');
    await applyMigrations({
      databaseUrl: database.url,
      migrationsDir: join(import.meta.dirname, '../../../prisma/order/migrations'),
      logger: createLogger('prisma-smoke', 'silent'),
    });
    prisma = connectOrderDatabase(database.url);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('given a migrated schema when an order row is created then it reads back unchanged', async () => {
    const id = randomUUID();
    const now = new Date('2026-11-27T10:00:00.123Z');
    await prisma.order.create({
      data: {
        id,
        customerId: 'c-1',
        storeId: 's-1',
        items: [{ menuId: 'm-1', name: 'Gimbap', quantity: 3, unitPrice: 4000 }],
        totalAmount: 12_000,
        addressLine: '1 Main St',
        addressLat: 37.5,
        addressLng: 127,
        status: 'PLACED',
        version: 1,
        createdAt: now,
        updatedAt: now,
      },
    });
    const row = await prisma.order.findUnique({ where: { id } });
    expect(row).toMatchObject({ id, totalAmount: 12_000, status: 'PLACED', requestNote: null, createdAt: now });
    expect(row?.items).toEqual([{ menuId: 'm-1', name: 'Gimbap', quantity: 3, unitPrice: 4000 }]);
  });
});
