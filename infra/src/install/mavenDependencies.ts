import { existsSync, renameSync, rmSync } from 'node:fs';
import { statePath } from '../state.ts';
import { run } from '../process/run.ts';
import { serially } from './serially.ts';
import { installDebianPackages } from './debianPackages.ts';
import { hasCommand } from './hasCommand.ts';

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/**
 * Copies a pom's runtime dependencies (jars) into `outputDir`, with Maven's cache kept in
 * `<state>/m2`. The jars land in a temporary folder that is renamed at the end, so an
 * interrupted download never looks installed.
 */
export const copyMavenDependencies = serially(async (pom: string, outputDir: string): Promise<void> => {
  if (existsSync(outputDir)) return;
  if (!(await hasCommand('mvn'))) await installDebianPackages(['maven']);
  const partial = `${outputDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await run('mvn', [
    '-q', '-B', '-f', pom,
    `-Dmaven.repo.local=${statePath('m2')}`,
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${partial}`,
  ]);
  renameSync(partial, outputDir);
});
