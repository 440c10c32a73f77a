import { existsSync, mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Component } from './component.ts';
import { hostPortOf, redisUrl, type HostPort } from '../addresses.ts';
import { statePath } from '../state.ts';
import { installDebianPackages } from '../install/debianPackages.ts';
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
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
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
    isInstalled: async () => existsSync(SERVER),
    install: () => installDebianPackages(['redis-server']),
    isReady: async () => {
      try {
        return (await withClient((client) => client.ping())) === 'PONG';
      } catch {
        return false;
      }
    },
    isRunning: () => ownedPid(pidFile, 'redis-server') !== undefined,
    start: async () => {
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
    },
    stop: async () => {
      await stopProcess({
        pidFile,
        marker: 'redis-server',
        timeoutMs: 10_000,
        // redis-cli rather than ioredis: after SHUTDOWN closes its connection, ioredis keeps a
        // 2 s timer that holds the calling process open.
        graceful: async () => {
          await run('redis-cli', ['-h', address.host, '-p', String(address.port), 'shutdown', 'nosave']);
        },
      });
    },
  };
}

export const redis: Component = createRedis({ address: hostPortOf(redisUrl(), 6379), dir: statePath('redis') });
