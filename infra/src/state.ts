import { join, resolve } from 'node:path';

/** The repository root: this file lives in <repo>/infra/src. */
export const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * The git-ignored folder holding every component's binaries, data, logs and pid files.
 * Read on each call so that a test may point PLATFORM_STATE_DIR elsewhere before it starts.
 */
export function stateDir(): string {
  return process.env['PLATFORM_STATE_DIR'] ?? join(repoRoot, '.local');
}

/** `<state>/<parts...>` (nothing is created). */
export function statePath(...parts: string[]): string {
  return join(stateDir(), ...parts);
}
