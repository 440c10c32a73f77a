import { run } from '../process/run.ts';

/** True when `command` is found on PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v "$0"', command]);
    return true;
  } catch {
    return false;
  }
}
