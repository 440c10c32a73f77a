import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Component } from './component.ts';
import { debianInstallation } from './debianInstallation.ts';
import { hostPortOf, redisUrl, type HostPort } from '../addresses.ts';
import { statePath } from '../state.ts';
import { spawnDetached } from '../process/spawnDetached.ts';
import { stopProcess } from '../process/stopProcess.ts';
import { ownedPid } from '../process/pidFile.ts';
import { run } from '../process/run.ts';

const SERVER = '/usr/bin/redis-server';

export interface RedisSettings {
  address: HostPort;
  dir: string;
}

export function createRedis({ address, dir }: RedisSettings): Component {
  const logFile = `${dir}/redis.log`;
  const pidFile = `${dir}/redis.pid`;

  // A short-lived client with no retries: readiness polls must fail fast, not queue.
  const withClient = async <T>(use: (client: Redis) => Promise<T>): Promise<T> => {
    const client = new Redis({
      host: address.host,
      port: address.port,
      lazyConnect: true,
      connectTimeout: 1_000,
      commandTimeout: 2_000, // a port held by something that is not Redis never answers
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      // After a refused connection ioredis waits this long for a 'close' that already
      // happened (default 2 s), which holds the calling process open.
      disconnectTimeout: 100,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return await use(client);
    } finally {
      client.disconnect();
    }
  };

  return {
    name: 'redis',
    address: `${address.host}:${address.port}`,
    logFile,
    startTimeoutMs: 30_000,
    ...debianInstallation(SERVER, 'redis-server'),
    isReady: () => withClient((client) => client.ping()).then(() => true, () => false),
    pid: () => ownedPid(pidFile, 'redis-server'),
    isRunning: () => ownedPid(pidFile, 'redis-server') !== undefined,
    // A Promise executor, so that a spawn error becomes a rejection.
    start: () =>
      new Promise<void>((resolve) => {
        mkdirSync(`${dir}/data`, { recursive: true });
        // Foreground (no --daemonize) so that the pid we spawn is the server's; a cache
        // needs no persistence: no RDB snapshots, no AOF.
        spawnDetached({
          command: SERVER,
          args: [
            '--bind', address.host, '--port', String(address.port), '--dir', `${dir}/data`,
            '--daemonize', 'no', '--save', '', '--appendonly', 'no', '--logfile', '',
          ],
          logFile,
          pidFile,
        });
        resolve();
      }),
    stop: async () => {
      await stopProcess({
        pidFile,
        marker: 'redis-server',
        timeoutMs: 10_000,
        // SHUTDOWN NOSAVE answers by closing the connection; redis-cli takes that as done.
        graceful: async () => {
          await run('redis-cli', ['-h', address.host, '-p', String(address.port), 'shutdown', 'nosave']);
        },
      });
    },
  };
}

export const redis: Component = createRedis({ address: hostPortOf(redisUrl(), 6379), dir: statePath('redis') });
