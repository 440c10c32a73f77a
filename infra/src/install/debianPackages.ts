import { run } from '../process/run.ts';
import { serially } from './serially.ts';

let indexUpdated = false;

/** True when every package is installed (dpkg's view). */
export async function areDebianPackagesInstalled(packages: readonly string[]): Promise<boolean> {
  try {
    const status = await run('dpkg-query', ['-W', '-f=${db:Status-Status}\n', ...packages]);
    return status.trim().split('\n').every((line) => line === 'installed');
  } catch {
    return false; // dpkg-query exits 1 when a package is unknown
  }
}

/**
 * apt-get installs the missing packages (we run as root). The package index is refreshed at
 * most once per process, and only when something is missing: an update costs seconds.
 */
export const installDebianPackages = serially(async (packages: readonly string[]): Promise<void> => {
  if (await areDebianPackagesInstalled(packages)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!indexUpdated) {
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update', '-q'], { env });
    indexUpdated = true;
  }
  // Another process (a parallel test suite, a benchmark) may hold dpkg's lock: wait for it.
  await run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends', ...packages], { env });
});
