import type { Component } from './component.ts';
import { ensureJdk } from '../install/jdk.ts';
import { copyMavenDependencies, hasMavenDependencies } from '../install/mavenDependencies.ts';

/** How a JVM component is installed: a JDK, and its pom's runtime jars in `libs`. */
export function mavenInstallation(pom: string, libs: string): Pick<Component, 'isInstalled' | 'install'> {
  return {
    isInstalled: () => Promise.resolve(hasMavenDependencies(pom, libs)),
    install: async () => {
      await ensureJdk();
      await copyMavenDependencies(pom, libs);
    },
  };
}
