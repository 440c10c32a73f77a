import { hasCommand } from './hasCommand.ts';
import { installDebianPackages } from './debianPackages.ts';

/** Kafka needs `java`; the Mongo launcher is compiled with `javac`: both come with the JDK. */
export async function ensureJdk(): Promise<void> {
  if (!(await hasCommand('javac'))) await installDebianPackages(['openjdk-17-jdk-headless']);
}
