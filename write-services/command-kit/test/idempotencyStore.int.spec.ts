import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@delivery/runtime-kit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdempotencyClaimLost, IdempotencyStore } from '../src/idempotency/idempotencyStore.ts';
import { applyMigrations } from '../src/migrations/migrationRunner.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../src/testing/throwawayDatabase.ts';
import { mariadbExecutor, type TestExecutor } from './mariadbExecutor.ts';

const migrationsDir = join(import.meta.dirname, '../../../prisma/order/migrations');
const answer = { status: 201, body: '{"orderId":"x","status":"PLACED","version":1}' };
let keySeq = 0;
const freshKey = () => `key-${Date.now()}-${keySeq++}`;
const scope = 'POST /api/v1/orders';

describe('idempotency store', () => {
  let database: ThrowawayDatabase;
  let db: TestExecutor;
  let store: IdempotencyStore;

  beforeAll(async () => {
    database = await createThrowawayDatabase('idempotency');
    await applyMigrations({ databaseUrl: database.url, migrationsDir, logger: createLogger('test', 'silent') });
    db = mariadbExecutor(database.url);
    store = new IdempotencyStore(db);
  });
  afterAll(async () => {
    await db.end();
    await database.drop();
  });

  it('given a new key when claimed then the command may execute', async () => {
    expect((await store.claim(scope, freshKey(), 'hash-a')).outcome).toBe('execute');
  });

  it('given a completed key when claimed with the same body then the first answer is replayed', async () => {
    const key = freshKey();
    const first = await store.claim(scope, key, 'hash-a');
    if (first.outcome !== 'execute') throw new Error('expected execute');
    await store.complete(first.claim, answer);
    expect(await store.claim(scope, key, 'hash-a')).toEqual({ outcome: 'replay', answer });
  });

  it('given a used key when claimed with a different body then it is a mismatch', async () => {
    const key = freshKey();
    const first = await store.claim(scope, key, 'hash-a');
    if (first.outcome !== 'execute') throw new Error('expected execute');
    await store.complete(first.claim, answer);
    expect((await store.claim(scope, key, 'hash-b')).outcome).toBe('mismatch');
  });

  it('given a key still in flight when claimed again then it is in flight', async () => {
    const key = freshKey();
    await store.claim(scope, key, 'hash-a');
    expect((await store.claim(scope, key, 'hash-a')).outcome).toBe('in-flight');
  });

  it('given many concurrent claims of one key then exactly one executes', async () => {
    const key = freshKey();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.claim(scope, key, 'hash-a')));
    expect(outcomes.filter((o) => o.outcome === 'execute')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in-flight')).toHaveLength(7);
  });

  it('given the same key on another path or in another case then they are different keys', async () => {
    const key = freshKey();
    expect((await store.claim(scope, key, 'hash-a')).outcome).toBe('execute');
    expect((await store.claim('POST /api/v1/orders/1/cancel', key, 'hash-a')).outcome).toBe('execute');
    expect((await store.claim(scope, key.toUpperCase(), 'hash-a')).outcome).toBe('execute');
  });

  it('given a released claim when claimed again then the command may execute again', async () => {
    const key = freshKey();
    const first = await store.claim(scope, key, 'hash-a');
    if (first.outcome !== 'execute') throw new Error('expected execute');
    await store.release(first.claim);
    expect((await store.claim(scope, key, 'hash-a')).outcome).toBe('execute');
  });

  it('given a claim whose process died when its lock expires then another request takes it over and the old owner cannot complete', async () => {
    const shortLock = new IdempotencyStore(db, { ttlMs: 60_000, inFlightLockMs: 50 });
    const key = freshKey();
    const dead = await shortLock.claim(scope, key, 'hash-a');
    if (dead.outcome !== 'execute') throw new Error('expected execute');
    await sleep(120);
    const takeover = await shortLock.claim(scope, key, 'hash-a');
    expect(takeover.outcome).toBe('execute');
    await expect(shortLock.complete(dead.claim, answer)).rejects.toThrow(IdempotencyClaimLost);
  });

  it('given a record older than its time to live when claimed then it starts afresh and purging drops it', async () => {
    const shortLived = new IdempotencyStore(db, { ttlMs: 50, inFlightLockMs: 50 });
    const key = freshKey();
    const first = await shortLived.claim(scope, key, 'hash-a');
    if (first.outcome !== 'execute') throw new Error('expected execute');
    await shortLived.complete(first.claim, answer);
    await sleep(120);
    expect((await shortLived.claim(scope, key, 'hash-b')).outcome).toBe('execute');
    await sleep(120);
    expect(await shortLived.purgeExpired()).toBeGreaterThanOrEqual(1);
  });

  it('keeps records for 24 hours by default', async () => {
    const key = freshKey();
    await store.claim(scope, key, 'hash-a');
    const [row] = await db.$queryRawUnsafe<{ hours: number | bigint }[]>(
      'SELECT TIMESTAMPDIFF(HOUR, created_at, expires_at) AS hours FROM idempotency_record WHERE idempotency_key = ?',
      key,
    );
    expect(Number(row?.hours)).toBe(24);
  });
});
