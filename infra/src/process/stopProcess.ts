import { isAlive, ownedPid, removePid } from './pidFile.ts';
import { waitFor } from './waitFor.ts';

export interface StopOptions {
  pidFile: string;
  /** Text the process's command line must contain (guards against recycled pids). */
  marker: string;
  /** How long a graceful stop may take before SIGKILL. */
  timeoutMs: number;
  /** The graceful request; SIGTERM when absent. */
  graceful?: (pid: number) => Promise<void>;
}

/** Stops the process of a pid file (only ours), gracefully first; true if one was running. */
export async function stopProcess({ pidFile, marker, timeoutMs, graceful }: StopOptions): Promise<boolean> {
  const pid = ownedPid(pidFile, marker);
  if (pid === undefined) {
    removePid(pidFile);
    return false;
  }
  try {
    if (graceful) await graceful(pid);
    else process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone, or the graceful request failed: the wait below decides.
  }
  if (!(await waitFor(() => !isAlive(pid), timeoutMs, 50))) {
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 5_000, 50);
  }
  removePid(pidFile);
  return true;
}
