// The order service's SQL repository (command-kit's sqlRepository over generated/tables.ts, on
// the mariadb driver client) and Prisma's typed client, the schema's owner, read and write
// the same row alike: JSON, DATETIME(3) in UTC whatever the process's time zone, enums,
// NULLs, the version check. A schema change the repository misread would show here.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyMigrations, connectDriverDatabase, type DriverDatabase, poolConfig } from '@delivery/command-kit';
import { createLogger } from '@delivery/runtime-kit';
import { adminQuery, createThrowawayDatabase, type ThrowawayDatabase } from '@delivery/test-support';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import type { Order } from '../src/domain/order.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { orderRepository } from '../src/store/orderRepository.ts';

const items = [{ menuId: 'm-1', name: 'Gimbap', quantity: 3, unitPrice: 4000 }];

function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: randomUUID(),
    customerId: 'c-1',
    storeId: 's-1',
    items,
    totalAmount: 12_000,
    deliveryAddress: { line: '1 Main St', lat: 37.5, lng: 127.25 },
    requestNote: null,
    status: 'PLACED',
    cancelReason: null,
    version: 1,
    createdAt: '2026-11-27T10:00:00.123Z',
    updatedAt: '2026-11-27T10:00:00.123Z',
    ...overrides,
  };
}

describe('order repository (SQL on the driver) and Prisma Client agree on the orders table', () => {
  let database: ThrowawayDatabase;
  let db: DriverDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createThrowawayDatabase('order_db_repo');
    await applyMigrations({
      databaseUrl: database.url,
      migrationsDir: join(import.meta.dirname, '../../../prisma/order/migrations'),
      logger: createLogger('order-repository-test', 'silent'),
    });
    db = connectDriverDatabase(database.url);
    prisma = new PrismaClient({ adapter: new PrismaMariaDb(poolConfig(database.url)) });
  });
  afterAll(async () => {
    await db.$disconnect();
    await prisma.$disconnect();
    await database.drop();
  });

  it('given an order inserted by the repository then Prisma reads the same row', async () => {
    const order = anOrder({ requestNote: 'ring twice' });
    await db.$transaction((tx) => orderRepository.insert(tx, order));
    expect(await prisma.order.findUnique({ where: { id: order.orderId } })).toEqual({
      id: order.orderId,
      customerId: 'c-1',
      storeId: 's-1',
      items,
      totalAmount: 12_000,
      addressLine: '1 Main St',
      addressLat: 37.5,
      addressLng: 127.25,
      requestNote: 'ring twice',
      status: 'PLACED',
      cancelReason: null,
      version: 1,
      createdAt: new Date('2026-11-27T10:00:00.123Z'),
      updatedAt: new Date('2026-11-27T10:00:00.123Z'),
    });
  });

  it('given an order created by Prisma then the repository loads the same state', async () => {
    const order = anOrder({ status: 'CANCELLED', cancelReason: 'out of stock', version: 2, updatedAt: '2026-11-27T10:05:00.000Z' });
    await prisma.order.create({
      data: {
        id: order.orderId,
        customerId: order.customerId,
        storeId: order.storeId,
        items,
        totalAmount: order.totalAmount,
        addressLine: order.deliveryAddress.line,
        addressLat: order.deliveryAddress.lat,
        addressLng: order.deliveryAddress.lng,
        requestNote: null,
        status: 'CANCELLED',
        cancelReason: 'out of stock',
        version: 2,
        createdAt: new Date(order.createdAt),
        updatedAt: new Date(order.updatedAt),
      },
    });
    expect(await orderRepository.load(db, order.orderId)).toEqual(order);
    expect(await orderRepository.loadMany(db, [order.orderId, randomUUID()])).toEqual([order]);
    expect(await orderRepository.load(db, randomUUID())).toBeUndefined();
  });

  it('given the stored version when updating then it writes; given a stale one then it writes nothing', async () => {
    const order = anOrder();
    await db.$transaction((tx) => orderRepository.insert(tx, order));
    const accepted = { ...order, status: 'ACCEPTED' as const, version: 2, updatedAt: '2026-11-27T10:01:00.000Z' };
    expect(await db.$transaction((tx) => orderRepository.update(tx, accepted, 1))).toBe(true);
    expect(await db.$transaction((tx) => orderRepository.update(tx, { ...accepted, version: 3 }, 1))).toBe(false);
    expect(await prisma.order.findUnique({ where: { id: order.orderId } })).toMatchObject({
      status: 'ACCEPTED',
      version: 2,
      createdAt: new Date(order.createdAt),
      updatedAt: new Date(accepted.updatedAt),
    });
  });

  it('given a process time zone other than UTC then timestamps are still stored and read as UTC', async () => {
    const order = anOrder();
    const probe = execFileSync(
      process.execPath,
      ['--conditions=source', join(import.meta.dirname, 'timeZoneProbe.ts'), database.url, JSON.stringify(order)],
      { env: { ...process.env, TZ: 'Asia/Seoul' }, encoding: 'utf8' },
    );
    const answer = JSON.parse(probe) as { hours: number; loaded: unknown; raw: string };
    expect(answer).toEqual({ hours: 19, loaded: order, raw: order.createdAt }); // 19: the zone was in effect (UTC+9)
    const [stored] = await adminQuery<{ at: string }[]>(
      `SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS at FROM \`${database.name}\`.orders WHERE id = ?`,
      [order.orderId],
    );
    expect(stored?.at).toBe('2026-11-27 10:00:00.123000');
    expect((await prisma.order.findUnique({ where: { id: order.orderId } }))?.createdAt).toEqual(new Date(order.createdAt));
  });
});
