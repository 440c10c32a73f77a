import { describe, expect, it } from '@jest/globals';
import { isDatabaseUnavailable } from '../src/db/databaseUnavailable.ts';
import { TransactionTimedOut } from '../src/db/driverDatabase.ts';
import { isWriteConflict } from '../src/db/writeConflict.ts';

/** An error as the mariadb driver makes it (SqlError: code, errno, sqlState, fatal). */
const sqlError = (message: string, code: string, errno: number, fatal = false) =>
  Object.assign(new Error(`(conn:7, no: ${errno}, SQLState: HY000) ${message}`), { name: 'SqlError', code, errno, sqlState: 'HY000', fatal });

describe('isDatabaseUnavailable', () => {
  it('given the errors a MariaDB restart produces then each means unavailable (503), not a bug (500)', () => {
    for (const error of [
      Object.assign(new Error('Raw query failed. Code: `45009`. Message: `socket has unexpectedly been closed`'), { code: 'P2010' }),
      Object.assign(new Error('socket has unexpectedly been closed: socket has unexpectedly been closed'), { name: 'DriverAdapterError' }),
      Object.assign(new Error("Can't reach database server"), { code: 'P1001' }),
      new Error('connect ECONNREFUSED 127.0.0.1:3306'),
      Object.assign(new Error('Invalid `prisma.$executeRawUnsafe()` invocation: write EPIPE'), { code: 'P2010' }),
      new Error('pool timeout: failed to retrieve a connection from pool after 10000ms'),
    ]) {
      expect([error.message, isDatabaseUnavailable(error)]).toEqual([error.message, true]);
    }
  });

  it('given the mariadb driver client failing to reach or keep the database then each means unavailable', () => {
    for (const error of [
      sqlError('pool timeout: failed to retrieve a connection from pool after 3001ms\n    (pool connections: active=0 idle=0 limit=10)', 'ER_GET_CONNECTION_TIMEOUT', 45028),
      sqlError('socket has unexpectedly been closed', 'ER_SOCKET_UNEXPECTED_CLOSE', 45009, true),
      sqlError('Cannot execute new commands: connection closed', 'ER_CMD_CONNECTION_CLOSED', 45013, true),
      sqlError('Connection timeout: failed to create socket after 3002ms', 'ER_CONNECTION_TIMEOUT', 45012, true),
      sqlError('socket timeout', 'ER_SOCKET_TIMEOUT', 45026, true),
      sqlError('Connection was killed', 'ER_CONNECTION_KILLED', 1927, true),
      sqlError('Server shutdown in progress', 'ER_SERVER_SHUTDOWN', 1053, true),
      sqlError('Too many connections', 'ER_CON_COUNT_ERROR', 1040),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 }),
      Object.assign(new Error('connect ETIMEDOUT 10.0.0.9:3306'), { code: 'ETIMEDOUT', errno: -110 }),
      new TransactionTimedOut(10_000),
    ]) {
      expect([error.message, isDatabaseUnavailable(error)]).toEqual([error.message, true]);
    }
  });

  it('given a query error of the command itself then it is not unavailability', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBe(false);
    expect(isDatabaseUnavailable(sqlError("Duplicate entry 'x' for key 'PRIMARY'", 'ER_DUP_ENTRY', 1062))).toBe(false);
    expect(isDatabaseUnavailable(sqlError('Deadlock found when trying to get lock; try restarting transaction', 'ER_LOCK_DEADLOCK', 1213))).toBe(false);
    expect(isDatabaseUnavailable(new Error('syntax error'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('isWriteConflict', () => {
  it('given a deadlock or lock wait the database gave up on, from the driver or from Prisma, then it is a conflict (409)', () => {
    expect(isWriteConflict(sqlError('Deadlock found when trying to get lock; try restarting transaction', 'ER_LOCK_DEADLOCK', 1213))).toBe(true);
    expect(isWriteConflict(sqlError('Lock wait timeout exceeded; try restarting transaction', 'ER_LOCK_WAIT_TIMEOUT', 1205))).toBe(true);
    expect(isWriteConflict(Object.assign(new Error('Transaction failed due to a write conflict or a deadlock'), { code: 'P2034' }))).toBe(true);
  });

  it('given any other failure then it is not', () => {
    expect(isWriteConflict(sqlError("Duplicate entry 'x' for key 'PRIMARY'", 'ER_DUP_ENTRY', 1062))).toBe(false);
    expect(isWriteConflict(sqlError('socket has unexpectedly been closed', 'ER_SOCKET_UNEXPECTED_CLOSE', 45009, true))).toBe(false);
    expect(isWriteConflict(new Error('boom'))).toBe(false);
    expect(isWriteConflict(null)).toBe(false);
  });
});
