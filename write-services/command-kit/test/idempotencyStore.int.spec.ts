import { join } from 'node:path';
import { createLogger } from '@delivery/runtime-kit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdempotencyClaimLost, IdempotencyStore } from '../src/idempotency/idempotencyStore.ts';
import { applyMigrations } from '../src/migrations/migrationRunner.ts';
import { createThrowawayDatabase, eventually, type ThrowawayDatabase } from '@delivery/test-support';
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

  type Deadline = 'locked_until' | 'expires_at';
  /** Waits until the key's lock or record expiry has passed by the database clock, the one the store compares with. */
  const untilPast = (key: string, column: Deadline) =>
    eventually(
      async () => {
        const [row] = await db.$queryRawUnsafe<{ past: number | bigint }[]>(
          `SELECT ${column} < UTC_TIMESTAMP(3) AS past FROM idempotency_record WHERE idempotency_key = ?`,
          key,
        );
        return Number(row?.past) === 1;
      },
      { what: `${column} of ${key} to pass` },
    );
  /** How far after the record's creation the lock or the expiry was set, in microseconds. */
  const microsFromCreation = async (key: string, column: Deadline) => {
    const [row] = await db.$queryRawUnsafe<{ micros: number | bigint }[]>(
      `SELECT TIMESTAMPDIFF(MICROSECOND, created_at, ${column}) AS micros FROM idempotency_record WHERE idempotency_key = ?`,
      key,
    );
    return Number(row?.micros);
  };

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
    expect(await microsFromCreation(key, 'locked_until')).toBe(50_000);
    await untilPast(key, 'locked_until');
    const takeover = await shortLock.claim(scope, key, 'hash-a');
    if (takeover.outcome !== 'execute') throw new Error(`expected execute, got ${takeover.outcome}`);
    await expect(shortLock.complete(dead.claim, answer)).rejects.toThrow(IdempotencyClaimLost);
    await shortLock.complete(takeover.claim, answer);
    expect(await shortLock.claim(scope, key, 'hash-a')).toEqual({ outcome: 'replay', answer });
  });

  it('given a record older than its time to live when claimed then it starts afresh and purging drops it', async () => {
    const shortLived = new IdempotencyStore(db, { ttlMs: 50, inFlightLockMs: 50 });
    const key = freshKey();
    const first = await shortLived.claim(scope, key, 'hash-a');
    if (first.outcome !== 'execute') throw new Error('expected execute');
    await shortLived.complete(first.claim, answer);
    expect(await microsFromCreation(key, 'expires_at')).toBe(50_000);
    await untilPast(key, 'expires_at');
    // A live record with another body would be a mismatch: this one starts afresh.
    expect((await shortLived.claim(scope, key, 'hash-b')).outcome).toBe('execute');
    await untilPast(key, 'expires_at');
    // The fresh record is the only expired one in this schema (the others live 60 s or 24 h).
    expect(await shortLived.purgeExpired()).toBe(1);
    expect(await db.$queryRawUnsafe('SELECT key_hash FROM idempotency_record WHERE idempotency_key = ?', key)).toEqual([]);
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
  describe('a claim whose request ended while the database was away', () => {
    /** The same database, unreachable on demand (an outage as the store sees it). */
    const flaky = () => {
      const state = { down: false };
      const fail = () => Promise.reject(new Error('database unreachable'));
      const executor = {
        $queryRawUnsafe: <T>(query: string, ...values: unknown[]) => (state.down ? fail() : db.$queryRawUnsafe<T>(query, ...values)),
        $executeRawUnsafe: (query: string, ...values: unknown[]) => (state.down ? fail() : db.$executeRawUnsafe(query, ...values)),
      };
      return { state, executor };
    };

    it('given the release failed in the outage when the client retries after it then the retry runs at once, not 409 for the lock', async () => {
      const { state, executor } = flaky();
      const outage = new IdempotencyStore(executor);
      const key = freshKey();
      const first = await outage.claim(scope, key, 'hash-a');
      expect(first.outcome).toBe('execute');
      state.down = true;
      if (first.outcome !== 'execute') throw new Error('unreachable');
      await expect(outage.release(first.claim)).rejects.toThrow('database unreachable');
      expect(outage.abandonedClaims()).toBe(1);
      state.down = false;
      // The lock (30 s) has not expired, yet the retry executes: the claim was abandoned here.
      const retry = await outage.claim(scope, key, 'hash-a');
      expect(retry.outcome).toBe('execute');
      expect(outage.abandonedClaims()).toBe(0);
      outage.close();
    });

    it('given the claim committed but its answer was lost with the connection then the retry runs at once', async () => {
      const lostAfterCommit = {
        $queryRawUnsafe: <T>(query: string, ...values: unknown[]) => db.$queryRawUnsafe<T>(query, ...values),
        $executeRawUnsafe: async (query: string, ...values: unknown[]) => {
          const done = await db.$executeRawUnsafe(query, ...values);
          if (query.includes('INSERT IGNORE INTO idempotency_record')) throw new Error('socket has unexpectedly been closed');
          return done;
        },
      };
      const outage = new IdempotencyStore(lostAfterCommit);
      const key = freshKey();
      await expect(outage.claim(scope, key, 'hash-c')).rejects.toThrow('socket has unexpectedly been closed');
      // The claim is in the table, in flight and locked for 30 s, and it is nobody's.
      expect((await db.$queryRawUnsafe<{ state: string }[]>('SELECT state FROM idempotency_record WHERE idempotency_key = ?', key)).map((r) => r.state)).toEqual(['IN_FLIGHT']);
      const retry = await new IdempotencyStore(db).claim(scope, key, 'hash-c');
      // Another instance may still see it in flight until this one releases it in the background...
      expect(['in-flight', 'execute']).toContain(retry.outcome);
      await eventually(() => outage.abandonedClaims() === 0, { what: 'the orphaned claim to be released' });
      // ...after which any instance runs the retry.
      expect((await store.claim(scope, key, 'hash-c')).outcome).toBe('execute');
      outage.close();
    });

    it('given the release failed in the outage then it is released in the background once the database answers, so any instance runs the retry', async () => {
      const { state, executor } = flaky();
      const outage = new IdempotencyStore(executor);
      const key = freshKey();
      const first = await outage.claim(scope, key, 'hash-b');
      if (first.outcome !== 'execute') throw new Error('expected a claim');
      state.down = true;
      await expect(outage.release(first.claim)).rejects.toThrow();
      state.down = false;
      await eventually(() => outage.abandonedClaims() === 0, { what: 'the abandoned claim to be released' });
      // Another instance (another store) finds no claim: the retry runs there too.
      expect((await store.claim(scope, key, 'hash-b')).outcome).toBe('execute');
      outage.close();
    });
  });
});
