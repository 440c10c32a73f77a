import { describe, expect, it } from '@jest/globals';
import { isDatabaseUnavailable } from '../src/db/databaseUnavailable.ts';

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

  it('given a query error of the command itself then it is not unavailability', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('syntax error'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
