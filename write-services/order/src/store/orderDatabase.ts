import { poolConfig } from '@delivery/command-kit';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from '../generated/prisma/client.ts';

/** The order service's Prisma client on the MariaDB driver adapter (no query engine binary). */
export function connectOrderDatabase(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaMariaDb(poolConfig(databaseUrl)) });
}
