import type { SqlExecutor } from './sqlExecutor.ts';

/**
 * Locks the row of a fact table (what a service knows of another service's aggregate) for
 * the rest of the transaction, creating it if it is not there yet, and returns it. Every
 * command relying on the fact goes through here, so they are serialised on that one row.
 * `ON DUPLICATE KEY UPDATE` takes the exclusive lock at once: an `INSERT IGNORE` would take
 * a shared one, and two transactions upgrading theirs would deadlock.
 */
export async function lockFact<Row>(tx: SqlExecutor, table: string, key: string, id: string, columns: Record<string, unknown> = {}): Promise<Row> {
  const names = [key, ...Object.keys(columns)];
  await tx.$executeRawUnsafe(
    `INSERT INTO \`${table}\` (${names.map((n) => `\`${n}\``).join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ON DUPLICATE KEY UPDATE \`${key}\` = \`${key}\``,
    id,
    ...Object.values(columns),
  );
  const [row] = await tx.$queryRawUnsafe<Row[]>(`SELECT * FROM \`${table}\` WHERE \`${key}\` = ? FOR UPDATE`, id);
  if (!row) throw new Error(`${table} row ${id} vanished inside its own transaction`);
  return row;
}
