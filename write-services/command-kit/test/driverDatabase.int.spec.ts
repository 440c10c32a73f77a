import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminQuery, createThrowawayDatabase, type ThrowawayDatabase } from '@delivery/test-support';
import { isDatabaseUnavailable } from '../src/db/databaseUnavailable.ts';
import { connectDriverDatabase, type DriverDatabase, TransactionTimedOut } from '../src/db/driverDatabase.ts';
import { isWriteConflict } from '../src/db/writeConflict.ts';

// The services' database client on the plain mariadb driver (driverDatabase.ts): what its
// statements answer, what a transaction commits or rolls back, and how its failures are told
// apart (a conflict is a 409, an unreachable database a 503).

describe('driver database client', () => {
  let database: ThrowawayDatabase;
  let db: DriverDatabase;
  const table = (sql: string) => adminQuery(sql.replaceAll('`db`', `\`${database.name}\``));

  beforeAll(async () => {
    database = await createThrowawayDatabase('driver_db');
    await table(`CREATE TABLE \`db\`.t (
      id INT PRIMARY KEY, big BIGINT NULL, doc LONGTEXT NULL CHECK (json_valid(doc)), at DATETIME(3) NULL,
      amount DECIMAL(10, 2) NULL, flag TINYINT(1) NULL, label VARCHAR(20) NULL)`);
    db = connectDriverDatabase(database.url);
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  it('answers rows as objects and the rows an UPDATE matched as a number, with the types the kit expects', async () => {
    const at = new Date('2026-12-01T10:00:00.123Z');
    expect(await db.$executeRawUnsafe('INSERT INTO t (id, big, doc, at, amount, flag, label) VALUES (?, ?, ?, ?, ?, ?, ?)', 1, 9007199254740993n, '{"a":[1]}', at, '12.50', true, 'x')).toBe(1);
    const [row] = await db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT id, big, doc, at, amount, flag, label, COUNT(*) OVER () AS n FROM t WHERE id = ?', 1);
    expect(row).toEqual({ id: 1, big: 9007199254740993n, doc: '{"a":[1]}', at, amount: '12.50', flag: 1, label: 'x', n: 1n });
    // foundRows: a matched row counts even when nothing in it changes (the version check counts matches).
    expect(await db.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', 'x', 1)).toBe(1);
    expect(await db.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', 'x', 2)).toBe(0);
    expect(await db.$queryRawUnsafe('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    // A Date parameter is UTC on the server too.
    const [stored] = await adminQuery<{ at: string }[]>(`SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f') AS at FROM \`${database.name}\`.t WHERE id = 1`);
    expect(stored?.at).toBe('2026-12-01 10:00:00.123000');
  });

  it('commits what the callback did and answers its value', async () => {
    const answer = await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (?, ?)', 10, 'committed');
      return (await tx.$queryRawUnsafe<{ label: string }[]>('SELECT label FROM t WHERE id = ?', 10))[0]?.label;
    });
    expect(answer).toBe('committed');
    expect(await adminQuery(`SELECT label FROM \`${database.name}\`.t WHERE id = 10`)).toEqual([{ label: 'committed' }]);
  });

  it('rolls back everything when the callback throws, and rethrows its error as is', async () => {
    const failure = new Error('decided otherwise');
    await expect(
      db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (?, ?)', 11, 'rolled back');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await adminQuery(`SELECT label FROM \`${database.name}\`.t WHERE id = 11`)).toEqual([]);
  });

  describe('writes queued with $executeLater', () => {
    const labels = async (ids: number[]) =>
      adminQuery<{ id: number; label: string }[]>(`SELECT id, label FROM \`${database.name}\`.t WHERE id IN (${ids.join(', ')}) ORDER BY id`);

    it('go out with the COMMIT, in order, with the same values a prepared statement takes', async () => {
      const at = new Date('2026-12-02T08:30:00.456Z');
      await db.$transaction(async (tx) => {
        tx.$executeLater?.('INSERT INTO t (id, at, doc, flag, label) VALUES (?, ?, ?, ?, ?)', 60, at, '{"q":"it\'s; ?"}', true, 'first');
        tx.$executeLater?.('UPDATE t SET label = CONCAT(label, ?) WHERE id = ?', '+second', 60);
      });
      const [row] = await db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT at, doc, flag, label FROM t WHERE id = ?', 60);
      expect(row).toEqual({ at, doc: '{"q":"it\'s; ?"}', flag: 1, label: 'first+second' });
    });

    it('go out with the next write, whose own answer is the one returned, and before the next read', async () => {
      const matched = await db.$transaction(async (tx) => {
        tx.$executeLater?.('INSERT INTO t (id, label) VALUES (?, ?)', 61, 'queued');
        const seen = await tx.$queryRawUnsafe<{ label: string }[]>('SELECT label FROM t WHERE id = ?', 61);
        expect(seen).toEqual([{ label: 'queued' }]);
        tx.$executeLater?.('INSERT INTO t (id, label) VALUES (?, ?)', 62, 'queued');
        return tx.$executeRawUnsafe('UPDATE t SET label = ? WHERE id IN (?, ?, ?)', 'updated', 61, 62, 999);
      });
      expect(matched).toBe(2);
      expect(await labels([61, 62])).toEqual([
        { id: 61, label: 'updated' },
        { id: 62, label: 'updated' },
      ]);
    });

    it('given a queued write the server refuses then nothing after it runs, the transaction rolls back and the error is the server\'s', async () => {
      await db.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (?, ?)', 63, 'before');
      await expect(
        db.$transaction(async (tx) => {
          tx.$executeLater?.('INSERT INTO t (id, label) VALUES (?, ?)', 64, 'would be lost');
          tx.$executeLater?.('INSERT INTO t (id, label) VALUES (?, ?)', 63, 'duplicate');
          tx.$executeLater?.('INSERT INTO t (id, label) VALUES (?, ?)', 65, 'never ran');
        }),
      ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
      expect(await labels([63, 64, 65])).toEqual([{ id: 63, label: 'before' }]);
      // The connection went back clean: the next transaction commits only its own write.
      await db.$transaction(async (tx) => {
        tx.$executeLater?.('INSERT INTO t (id, label) VALUES (?, ?)', 66, 'next');
      });
      expect(await labels([64, 65, 66])).toEqual([{ id: 66, label: 'next' }]);
    });

    it('given the next write fails then the queued ones before it roll back with it', async () => {
      await expect(
        db.$transaction(async (tx) => {
          tx.$executeLater?.('INSERT INTO t (id, label) VALUES (?, ?)', 67, 'queued');
          await tx.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (?, ?)', 63, 'duplicate');
        }),
      ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
      expect(await labels([67])).toEqual([]);
    });
  });

  it('given two transactions locking two rows in opposite orders then the deadlock victim fails as a write conflict and rolls back', async () => {
    await db.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (20, ?), (21, ?)', 'a', 'b');
    let bothLockedFirst!: () => void;
    const firstLocks = new Promise<void>((resolve) => {
      let count = 0;
      bothLockedFirst = () => {
        if (++count === 2) resolve();
      };
    });
    const crossing = (first: number, second: number) =>
      db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', `by ${first}`, first);
        bothLockedFirst();
        await firstLocks;
        await tx.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', `by ${first}`, second);
        return first;
      }, { timeout: 20_000 });
    const outcomes = await Promise.allSettled([crossing(20, 21), crossing(21, 20)]);
    const failed = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as { errno?: number });
    expect(failed).toHaveLength(1);
    expect(failed[0]?.errno).toBe(1213);
    expect(isWriteConflict(failed[0])).toBe(true);
    expect(isDatabaseUnavailable(failed[0])).toBe(false);
    const winner = outcomes.find((o) => o.status === 'fulfilled')?.value;
    expect(await adminQuery(`SELECT label FROM \`${database.name}\`.t WHERE id IN (20, 21) ORDER BY id`)).toEqual([
      { label: `by ${winner}` },
      { label: `by ${winner}` },
    ]);
  });

  it('given a transaction past its timeout then it is rolled back at once, its locks released, and it ends unavailable', async () => {
    await db.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (30, ?)', 'before');
    let late: unknown;
    // The callback waits for something that does not come (e.g. an owner that never answers)
    // until the test lets it go, after the other transaction got the row.
    const { promise: ownerAnswers, resolve: answerOwner } = Promise.withResolvers<undefined>();
    const slow = db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', 'never committed', 30);
        await ownerAnswers;
        late = await Promise.resolve(tx.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', 'too late', 30)).catch((error: unknown) => error);
        return 'done';
      },
      { timeout: 300 },
    );
    const outcome = slow.catch((error: unknown) => error);
    // This UPDATE waits for the row's lock: it gets it because the timed-out transaction was
    // rolled back while its callback is still waiting (`late` is not set yet).
    const other = await db.$transaction(async (tx) => tx.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', 'other', 30), { timeout: 30_000 });
    expect(other).toBe(1);
    expect(late).toBeUndefined();
    answerOwner(undefined);
    const error = await outcome;
    expect(error).toBeInstanceOf(TransactionTimedOut);
    expect(late).toBeInstanceOf(TransactionTimedOut);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(await adminQuery(`SELECT label FROM \`${database.name}\`.t WHERE id = 30`)).toEqual([{ label: 'other' }]);
  });

  it('runs transactions on connections with autocommit off (no BEGIN) and single statements with it on', async () => {
    expect(await db.$transaction(async (tx) => tx.$queryRawUnsafe('SELECT @@autocommit AS autocommit'))).toEqual([{ autocommit: 0n }]);
    expect(await db.$queryRawUnsafe('SELECT @@autocommit AS autocommit')).toEqual([{ autocommit: 1n }]);
  });

  it('given failed transactions then their connections go back to the pool with nothing left open', async () => {
    await db.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (?, ?)', 41, 'before');
    for (let i = 0; i < 15; i++) {
      // More failures than the pool has connections, each after a write that must not survive.
      await expect(
        db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe('UPDATE t SET label = ? WHERE id = ?', `failed ${i}`, 41);
          return tx.$queryRawUnsafe('SELECT no_such_column FROM t');
        }),
      ).rejects.toMatchObject({ code: 'ER_BAD_FIELD_ERROR' });
    }
    const ids = Array.from({ length: 12 }, (_, i) => 100 + i);
    await Promise.all(ids.map((id) => db.$transaction(async (tx) => tx.$executeRawUnsafe('INSERT INTO t (id, label) VALUES (?, ?)', id, 'committed'))));
    const [{ n } = { n: 0n }] = await adminQuery<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM \`${database.name}\`.t WHERE id >= 100 AND label = 'committed'`);
    expect(Number(n)).toBe(ids.length);
    expect(await adminQuery(`SELECT label FROM \`${database.name}\`.t WHERE id = 41`)).toEqual([{ label: 'before' }]);
  });

  it('given no database server then statements and transactions fail as unavailable (503), not as bugs', async () => {
    const nowhere = connectDriverDatabase(`mysql://nobody:pw@127.0.0.1:1/${randomUUID().slice(0, 8)}`);
    try {
      const [statement, transaction] = await Promise.all([
        Promise.resolve(nowhere.$queryRawUnsafe('SELECT 1')).catch((error: unknown) => error),
        nowhere.$transaction(async () => 'never').catch((error: unknown) => error),
      ]);
      for (const error of [statement, transaction]) expect([String(error), isDatabaseUnavailable(error)]).toEqual([String(error), true]);
    } finally {
      await nowhere.$disconnect();
    }
  }, 20_000);
});
