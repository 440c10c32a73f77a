/**
 * Whether an error means "the database could not be reached" (pool timeout, refused or
 * lost connection, transaction could not start or ran out of time): the command did not
 * run, or its outcome is unknown, and retrying later (with the same Idempotency-Key) is the
 * answer: 503.
 */
const UNAVAILABLE_CODES = new Set([
  // Prisma's (a Prisma client, should one run a command again).
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'P2028',
  // The mariadb driver's own (SqlError.code, errno 45000–45999): no connection from the pool
  // in acquireTimeout (45028: the pool could not connect, or every connection stayed busy),
  // a connection that closed, timed out or was destroyed under a command, a pool closing.
  'ER_GET_CONNECTION_TIMEOUT',
  'ER_POOL_NO_CONNECTION',
  'ER_POOL_NOT_INITIALIZED',
  'ER_POOL_ALREADY_CLOSED',
  'ER_CLOSING_POOL',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_SOCKET',
  'ER_SOCKET_TIMEOUT',
  'ER_CONNECTION_TIMEOUT',
  'ER_CONNECTION_ALREADY_CLOSED',
  'ER_CMD_CONNECTION_CLOSED',
  'ER_CMD_NOT_EXECUTED_DESTROYED',
  // The server's: shutting down, this connection killed, no connection slot left.
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  // Node's socket errors, which the driver passes on as they are.
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // driverDatabase.ts: a transaction past its timeout, rolled back.
  'TRANSACTION_TIMEOUT',
]);
// The mariadb driver's "socket has unexpectedly been closed" (code 45009, also wrapped in a
// DriverAdapterError on commit) is a lost connection too: found by the MariaDB fault drill.
const UNAVAILABLE_MESSAGES = [
  /pool timeout/i,
  /ECONNREFUSED/,
  /ECONNRESET/,
  /EPIPE/,
  /connection (was )?closed/i,
  /Connection lost/i,
  /socket has unexpectedly been closed/i,
  /Code: `45009`/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}
