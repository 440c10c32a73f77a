import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { Component } from './component.ts';
import { mavenInstallation } from './mavenInstallation.ts';
import { hostPortOf, mongoUrl, type HostPort } from '../addresses.ts';
import { repoRoot, statePath } from '../state.ts';
import { replaceFolder } from '../install/replaceFolder.ts';
import { run } from '../process/run.ts';
import { spawnDetached } from '../process/spawnDetached.ts';
import { stopProcess } from '../process/stopProcess.ts';
import { ownedPid } from '../process/pidFile.ts';
import { isPortOpen } from '../process/isPortOpen.ts';

const LAUNCHER = join(repoRoot, 'infra/mongo/MongoLauncher.java');
const POM = join(repoRoot, 'infra/mongo/pom.xml');

export interface MongoSettings {
  address: HostPort;
  dir: string;
  /** `h2` persists in `<dir>/data/store.mv.db` (fault drills need it); `memory` is throw-away. */
  backend?: 'h2' | 'memory';
  /** The jars; `<dir>/libs` by default (a test may reuse the installed ones). */
  libs?: string;
}

export function createMongo({ address, dir, backend = 'h2', libs = `${dir}/libs` }: MongoSettings): Component {
  const classes = `${dir}/classes`;
  const dataFile = `${dir}/data/store.mv.db`;
  const logFile = `${dir}/mongo.log`;
  const pidFile = `${dir}/mongo.pid`;
  const url = `mongodb://${address.host}:${address.port}`;

  /**
   * Running the launcher as a source file costs ≈ 0.7 s of compilation at every start
   * (measured: ready in 0.97 s vs 0.28 s); it is compiled once per change of its source
   * or of the jars it compiles against instead.
   */
  const compileLauncher = async (): Promise<void> => {
    const hash = createHash('sha256').update(readFileSync(LAUNCHER)).update(readFileSync(`${libs}/pom.sha256`)).digest('hex');
    const stamp = `${classes}/source.sha256`;
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
    await replaceFolder(classes, async (partial) => {
      await run('javac', ['-cp', `${libs}/*`, '-d', partial, LAUNCHER]);
      writeFileSync(`${partial}/source.sha256`, hash);
    });
  };

  return {
    name: 'mongo',
    address: `${address.host}:${address.port}`,
    logFile,
    // Opening a large H2 store takes a while on a loaded machine.
    startTimeoutMs: 90_000,
    ...mavenInstallation(POM, libs),
    isReady: async () => {
      // The driver retries a refused connection until server selection times out (1 s):
      // while the server is still starting, a plain TCP probe answers sooner.
      if (!(await isPortOpen(address.host, address.port))) return false;
      // One short-lived connection, failing fast: this is polled while the server starts.
      const client = new MongoClient(url, {
        serverSelectionTimeoutMS: 1_000,
        connectTimeoutMS: 1_000,
        socketTimeoutMS: 2_000,
        directConnection: true,
      });
      try {
        const reply = await client.db('admin').command({ ping: 1 });
        return reply['ok'] === 1;
      } catch {
        return false;
      } finally {
        await client.close();
      }
    },
    pid: () => ownedPid(pidFile, 'MongoLauncher'),
    isRunning: () => ownedPid(pidFile, 'MongoLauncher') !== undefined,
    start: async () => {
      await compileLauncher();
      mkdirSync(`${dir}/data`, { recursive: true });
      const storage = backend === 'h2' ? ['h2', dataFile] : ['memory'];
      spawnDetached({
        command: 'java',
        args: [
          // The H2 backend keeps a large working set: a store of a few hundred MB (after benchmarks)
          // ran out of 512 MB of heap and never came up.
          '-Xmx2g',
          // No slf4j provider is on the class path on purpose; skip slf4j's warning about it.
          '-Dslf4j.internal.verbosity=ERROR',
          '-cp', `${libs}/*:${classes}`,
          'MongoLauncher', ...storage, String(address.port),
        ],
        logFile,
        pidFile,
      });
    },
    stop: async () => {
      // SIGTERM runs the launcher's shutdown hook, which commits and closes the H2 file.
      await stopProcess({ pidFile, marker: 'MongoLauncher', timeoutMs: 15_000 });
    },
  };
}

export const mongo: Component = createMongo({
  address: hostPortOf(mongoUrl(), 27017),
  dir: statePath('mongo'),
  // `memory` is faster for writes at 100k documents (docs/benchmarks.md) but forgets all on stop.
  backend: process.env['MONGO_STANDIN_BACKEND'] === 'memory' ? 'memory' : 'h2',
});
