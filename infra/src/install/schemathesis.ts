import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, statePath } from '../state.ts';
import { run } from '../process/run.ts';
import { installDebianPackages } from './debianPackages.ts';
import { hasCommand } from './hasCommand.ts';
import { serially } from './serially.ts';

/**
 * The API fuzzer schemathesis (PyPI), in a Python venv of its own under the state folder.
 * Every version is pinned in e2e/fuzz/requirements.txt (schemathesis itself and what it
 * pulls in, as `pip freeze` printed them); the venv is rebuilt when that file changes.
 */
export const SCHEMATHESIS_REQUIREMENTS = join(repoRoot, 'e2e/fuzz/requirements.txt');
const STAMP = 'requirements.sha256';

export const schemathesisVenv = (): string => statePath('schemathesis');
/** The `st` command of the venv (schemathesis' CLI). */
export const schemathesisCommand = (): string => join(schemathesisVenv(), 'bin', 'st');

const requirementsHash = (): string => createHash('sha256').update(readFileSync(SCHEMATHESIS_REQUIREMENTS)).digest('hex');

/** True when the venv holds exactly the pinned requirements (the stamp is written last). */
export function isSchemathesisInstalled(): boolean {
  const stamp = join(schemathesisVenv(), STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === requirementsHash() && existsSync(schemathesisCommand());
}

/** The pinned schemathesis version (from the requirements file). */
export function schemathesisVersion(): string {
  const line = readFileSync(SCHEMATHESIS_REQUIREMENTS, 'utf8')
    .split('\n')
    .find((l) => l.toLowerCase().startsWith('schemathesis=='));
  return line?.split('==')[1]?.trim() ?? 'unknown';
}

async function createVenv(folder: string): Promise<void> {
  if (!(await hasCommand('python3'))) await installDebianPackages(['python3', 'python3-venv']);
  try {
    await run('python3', ['-m', 'venv', folder]);
  } catch {
    // Debian's python3 ships venv's ensurepip separately.
    rmSync(folder, { recursive: true, force: true });
    await installDebianPackages(['python3-venv']);
    await run('python3', ['-m', 'venv', folder]);
  }
}

/**
 * Installs schemathesis when missing or when the pins changed; idempotent and cached (pip's
 * cache in `<state>/pip-cache`). A venv records its own path, so it is built in place; an
 * interrupted install has no stamp and is wiped and redone at the next call.
 * Returns the path of the `st` command.
 */
export const ensureSchemathesis = serially(async (): Promise<string> => {
  if (isSchemathesisInstalled()) return schemathesisCommand();
  const folder = schemathesisVenv();
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(statePath(), { recursive: true });
  await createVenv(folder);
  const pip = join(folder, 'bin', 'pip');
  const env = { ...process.env, PIP_CACHE_DIR: statePath('pip-cache'), PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  await run(pip, ['install', '--quiet', '--no-input', '--require-virtualenv', '-r', SCHEMATHESIS_REQUIREMENTS], { env });
  const version = (await run(schemathesisCommand(), ['--version'])).trim();
  if (!version.endsWith(schemathesisVersion())) throw new Error(`schemathesis installed, but it reports "${version}"`);
  writeFileSync(join(folder, STAMP), requirementsHash());
  return schemathesisCommand();
});
