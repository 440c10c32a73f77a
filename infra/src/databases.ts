import { mariadbAddress } from './addresses.ts';

/**
 * The one place that names each write service's MySQL schema and credentials on the local
 * MariaDB. The services read `<SERVICE>_DATABASE_URL`; these are its local defaults.
 */
export type ServiceName = 'order' | 'dispatch' | 'delivery';

export interface ServiceDatabase {
  service: ServiceName;
  /** The environment variable the service reads. */
  envVar: `${Uppercase<ServiceName>}_DATABASE_URL`;
  database: string;
  user: string;
  password: string;
}

export const serviceDatabases: readonly ServiceDatabase[] = (['order', 'dispatch', 'delivery'] as const).map(
  (service) => ({
    service,
    envVar: `${service.toUpperCase() as Uppercase<ServiceName>}_DATABASE_URL`,
    database: `${service}_db`,
    user: `${service}_svc`,
    password: `${service}_svc_pw`,
  }),
);

/** Test tooling's account: creates and drops throwaway schemas (e.g. `order_db_test_x`). */
export const adminAccount = { user: 'platform_admin', password: 'platform_admin_pw' } as const;

function mysqlUrl(user: string, password: string, database: string): string {
  const { host, port } = mariadbAddress();
  return `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

/** The local default URL of a service's schema, e.g. mysql://order_svc:order_svc_pw@127.0.0.1:3306/order_db. */
export function defaultDatabaseUrl(service: ServiceName): string {
  const db = serviceDatabases.find((candidate) => candidate.service === service);
  if (!db) throw new Error(`unknown service ${service}`);
  return mysqlUrl(db.user, db.password, db.database);
}

/** The URL a service uses: its environment variable, else the local default. */
export function databaseUrl(service: ServiceName): string {
  return process.env[`${service.toUpperCase()}_DATABASE_URL`] ?? defaultDatabaseUrl(service);
}

/** An all-privileges URL for test tooling, optionally on one schema (created by the caller). */
export function adminDatabaseUrl(database = ''): string {
  const url = new URL(process.env['ADMIN_DATABASE_URL'] ?? mysqlUrl(adminAccount.user, adminAccount.password, ''));
  url.pathname = `/${database}`;
  return url.toString();
}
