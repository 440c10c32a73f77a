/**
 * Whether an error means "the database could not be reached" (pool timeout, refused or
 * lost connection, transaction could not start): the command did not run, or its outcome
 * is unknown, and retrying later (with the same Idempotency-Key) is the answer: 503.
 */
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
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
