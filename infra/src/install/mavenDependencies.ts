import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { statePath } from '../state.ts';
import { run } from '../process/run.ts';
import { serially } from './serially.ts';
import { installDebianPackages } from './debianPackages.ts';
import { hasCommand } from './hasCommand.ts';
import { replaceFolder } from './replaceFolder.ts';

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const STAMP = 'pom.sha256';

const pomHash = (pom: string): string => createHash('sha256').update(readFileSync(pom)).digest('hex');

/** True when `outputDir` holds the jars of this very pom (a changed version fetches again). */
export function hasMavenDependencies(pom: string, outputDir: string): boolean {
  const stamp = `${outputDir}/${STAMP}`;
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === pomHash(pom);
}

/**
 * Copies a pom's runtime dependencies (jars) into `outputDir`, with Maven's cache kept in
 * `<state>/m2`. Through `replaceFolder`, so an interrupted download never looks installed.
 */
export const copyMavenDependencies = serially(async (pom: string, outputDir: string): Promise<void> => {
  if (hasMavenDependencies(pom, outputDir)) return;
  if (!(await hasCommand('mvn'))) await installDebianPackages(['maven']);
  await replaceFolder(outputDir, async (partial) => {
    await run('mvn', [
      '-q', '-B', '-f', pom,
      `-Dmaven.repo.local=${statePath('m2')}`,
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${partial}`,
    ]);
    writeFileSync(`${partial}/${STAMP}`, pomHash(pom));
  });
});
