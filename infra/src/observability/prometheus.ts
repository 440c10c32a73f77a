import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { installDebianPackages } from '../install/debianPackages.ts';
import { tailLines } from '../process/tailLines.ts';
import { waitFor } from '../process/waitFor.ts';

/** Prometheus and promtool from Debian's `prometheus` package. */
export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** Installs Debian's `prometheus` package (prometheus + promtool) unless it is there. */
export async function ensurePrometheusInstalled(): Promise<void> {
  if (!existsSync(PROMETHEUS) || !existsSync(PROMTOOL)) await installDebianPackages(['prometheus']);
}

export interface PrometheusOptions {
  configFile: string;
  /** TSDB folder (under the state folder). */
  dataDir: string;
  port: number;
  host?: string;
  logFile: string;
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  url: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Runs Prometheus as a child process of the caller (not a shared component: whoever starts
 * it stops it) and waits for `/-/ready`. The lifecycle API is on, for `POST /-/reload`.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  await ensurePrometheusInstalled();
  mkdirSync(options.dataDir, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${options.configFile}`,
      `--storage.tsdb.path=${options.dataDir}`,
      '--storage.tsdb.retention.time=2d',
      `--web.listen-address=${host}:${options.port}`,
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const ready = await waitFor(
    async () => {
      if (child.exitCode !== null) return true;
      try {
        return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok;
      } catch {
        return false;
      }
    },
    options.readyTimeoutMs ?? 60_000,
    200,
  );
  if (!ready || child.exitCode !== null) {
    await stop();
    throw new Error(`prometheus ${child.exitCode !== null ? `exited with code ${child.exitCode}` : 'not ready'}; log ${options.logFile}:\n${tailLines(options.logFile, 20)}`);
  }
  return { url, child, logFile: options.logFile, stop };
}
