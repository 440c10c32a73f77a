import { existsSync, mkdirSync } from 'node:fs';
import type { Component } from './component.ts';
import { debianInstallation } from './debianInstallation.ts';
import { mariadbAddress, type HostPort } from '../addresses.ts';
import { statePath } from '../state.ts';
import { replaceFolder } from '../install/replaceFolder.ts';
import { run } from '../process/run.ts';
import { spawnDetached } from '../process/spawnDetached.ts';
import { stopProcess } from '../process/stopProcess.ts';
import { ownedPid } from '../process/pidFile.ts';
import { adminAccount } from '../databases.ts';

const SERVER = '/usr/sbin/mariadbd';

/**
 * True when a MySQL server answers on the address. `ping` exits 0 when the server answers,
 * also with "access denied"; a fresh data dir has no account for TCP clients yet (root
 * uses the socket), and the server then answers 1130 "Host ... is not allowed", which
 * `ping` reports as a failure although the server is up.
 */
async function ping({ host, port }: HostPort): Promise<boolean> {
  try {
    await run(
      'mariadb-admin',
      ['--no-defaults', '--protocol=tcp', `--host=${host}`, `--port=${port}`, `--user=${adminAccount.user}`, '--connect-timeout=1', 'ping'],
      // The timeout bounds a port held by something that accepts but never greets.
      { env: { ...process.env, MYSQL_PWD: adminAccount.password }, timeoutMs: 3_000 },
    );
    return true;
  } catch (error) {
    return /\b1130\b/.test((error as Error).message);
  }
}

export interface MariadbSettings {
  address: HostPort;
  dir: string;
}

export interface MariadbComponent extends Component {
  /** Runs SQL as root through the server's Unix socket (root has no TCP access). */
  runSql(sql: string): Promise<string>;
}

export function createMariadb({ address, dir }: MariadbSettings): MariadbComponent {
  const dataDir = `${dir}/data`;
  const socket = `${dir}/mariadb.sock`;
  const logFile = `${dir}/mariadb.log`;
  const pidFile = `${dir}/mariadb.pid`;

  // Our own instance ignores /etc/mysql (--no-defaults): nothing on the machine changes it.
  const initialiseDataDir = async (): Promise<void> => {
    if (existsSync(dataDir)) return;
    await replaceFolder(dataDir, async (partial) => {
      await run('mariadb-install-db', [
        '--no-defaults', '--user=root', `--datadir=${partial}`,
        '--auth-root-authentication-method=socket', '--skip-test-db',
      ]);
    });
  };

  return {
    name: 'mariadb',
    address: `${address.host}:${address.port}`,
    logFile,
    startTimeoutMs: 30_000,
    ...debianInstallation(SERVER, 'mariadb-server'),
    isReady: () => ping(address),
    pid: () => ownedPid(pidFile, 'mariadbd'),
    isRunning: () => ownedPid(pidFile, 'mariadbd') !== undefined,
    start: async () => {
      mkdirSync(dir, { recursive: true });
      await initialiseDataDir();
      spawnDetached({
        command: SERVER,
        args: [
          '--no-defaults', '--user=root', `--datadir=${dataDir}`, `--socket=${socket}`,
          `--port=${address.port}`, `--bind-address=${address.host}`,
          // Clients from 127.0.0.1 stay '127.0.0.1' (not 'localhost'), and no DNS lookups.
          '--skip-name-resolve',
          '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
        ],
        logFile,
        pidFile,
      });
    },
    stop: async () => {
      // SIGTERM is mariadbd's clean shutdown (flushes InnoDB).
      await stopProcess({ pidFile, marker: 'mariadbd', timeoutMs: 30_000 });
    },
    runSql: (sql) => run('mariadb', ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names', `--execute=${sql}`]),
  };
}

export const mariadb: MariadbComponent = createMariadb({ address: mariadbAddress(), dir: statePath('mariadb') });
