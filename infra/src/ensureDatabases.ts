import { adminAccount, serviceDatabases } from './databases.ts';
import { mariadb as localMariadb, type MariadbComponent } from './components/mariadb.ts';

// With --skip-name-resolve a TCP client is '127.0.0.1'; 'localhost' is the Unix socket.
const HOSTS = ['127.0.0.1', 'localhost'];

const quote = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * Creates each service's schema and its user, granted only that schema, plus the admin
 * account of the test tooling. Idempotent: safe on every start (≈ 20 ms).
 */
export async function ensureDatabases(mariadb: MariadbComponent = localMariadb): Promise<void> {
  const statements: string[] = [];
  const account = (user: string, password: string, host: string): string[] => [
    `CREATE USER IF NOT EXISTS ${quote(user)}@${quote(host)} IDENTIFIED BY ${quote(password)}`,
    // Keeps the password in line with databases.ts should it ever change.
    `ALTER USER ${quote(user)}@${quote(host)} IDENTIFIED BY ${quote(password)}`,
  ];
  for (const { database, user, password } of serviceDatabases) {
    statements.push(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    for (const host of HOSTS) {
      // In a GRANT '_' is a wildcard: escaped, the user gets exactly its schema.
      statements.push(...account(user, password, host), `GRANT ALL PRIVILEGES ON \`${database.replaceAll('_', '\\_')}\`.* TO ${quote(user)}@${quote(host)}`);
    }
  }
  for (const host of HOSTS) {
    statements.push(
      ...account(adminAccount.user, adminAccount.password, host),
      `GRANT ALL PRIVILEGES ON *.* TO ${quote(adminAccount.user)}@${quote(host)} WITH GRANT OPTION`,
    );
  }
  await mariadb.runSql(`${statements.join(';\n')};`);
}
