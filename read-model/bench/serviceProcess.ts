import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { statePath } from '@delivery/infra';
import { eventually, freePort } from '@delivery/test-support';

export interface ServiceProcess {
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts `node <entry>` as production would (own process), waits for `readyPath`. */
export async function startServiceProcess(name: string, entry: string, env: Record<string, string>, readyPath = '/health/ready'): Promise<ServiceProcess> {
  const port = await freePort();
  mkdirSync(statePath('bench'), { recursive: true });
  const logFile = statePath('bench', `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'w' });
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: { ...process.env, NODE_OPTIONS: '--conditions=source --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  // A process that exited will not become ready: that ends the wait too.
  const outcome = await eventually(
    async () => (child.exitCode !== null ? `exited with ${child.exitCode}` : (await fetch(url + readyPath)).ok && 'ready'),
    { timeoutMs: 60_000, intervalMs: 200, what: `${name} to be ready (see ${logFile})` },
  );
  if (outcome !== 'ready') throw new Error(`${name} ${outcome}; see ${logFile}`);
  return {
    url,
    pid: child.pid!,
    logFile,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
