/**
 * Whether the database gave up a transaction because of a concurrent one: the same story as
 * a stale version (409 VERSION_CONFLICT, retry after reading again). The mariadb driver's
 * ER_LOCK_DEADLOCK (1213: this transaction was the deadlock's victim and is rolled back) and
 * ER_LOCK_WAIT_TIMEOUT (1205), and Prisma's P2034 (its name for the same, should a Prisma
 * client run a command again).
 */
const CONFLICT_ERRNOS = new Set([1213, 1205]);

export function isWriteConflict(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return code === 'P2034' || (typeof errno === 'number' && CONFLICT_ERRNOS.has(errno));
}
