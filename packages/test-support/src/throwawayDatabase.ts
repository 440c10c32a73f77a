import { randomBytes } from 'node:crypto';
import { adminDatabaseUrl } from '@delivery/infra';
import { createConnection } from 'mariadb';
import { connectionConfig } from '@delivery/command-kit';

/** A schema of a test's own on the shared MariaDB (admin account from infra), dropped afterwards. */
export interface ThrowawayDatabase {
  name: string;
  /** mysql:// URL of the schema, with the admin account. */
  url: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(prefix: string): Promise<ThrowawayDatabase> {
  const name = `${prefix}_t_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return { name, url: adminDatabaseUrl(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS \`${name}\``) };
}

/** Runs one statement with the admin account (no schema selected); returns the rows. */
export async function adminQuery<T = unknown>(sql: string, values: unknown[] = []): Promise<T> {
  const connection = await createConnection(connectionConfig(adminDatabaseUrl()));
  try {
    return await connection.query<T>(sql, values);
  } finally {
    await connection.end();
  }
}
