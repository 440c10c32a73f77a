import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ownedPid, writePid } from './pidFile.ts';

export interface DetachedProcess {
  command: string;
  args: readonly string[];
  logFile: string;
  pidFile: string;
  /** The working directory; the log file's folder by default (a JVM crash report lands there). */
  cwd?: string;
}

/**
 * Starts a server that outlives this process: its own session (detached), stdout and
 * stderr appended to its log file, its pid written to its pid file.
 */
export function spawnDetached({ command, args, logFile, pidFile, cwd = dirname(logFile) }: DetachedProcess): number {
  // Overwriting the pid file of a live server would lose track of it: no stop could reach it.
  const running = ownedPid(pidFile, basename(command));
  if (running !== undefined) throw new Error(`${pidFile} names a running ${basename(command)} (pid ${running})`);
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(dirname(pidFile), { recursive: true });
  const log = openSync(logFile, 'a');
  try {
    // A header per start, so that the tail of the log shows the latest attempt.
    writeSync(log, `\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
    // The error event (e.g. ENOENT) arrives later; the readiness wait reports the dead pid.
    child.on('error', () => {});
    child.unref();
    writePid(pidFile, child.pid);
    return child.pid;
  } finally {
    closeSync(log);
  }
}
