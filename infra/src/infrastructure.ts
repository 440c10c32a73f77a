import type { Component, ComponentName } from './components/component.ts';
import { redis } from './components/redis.ts';
import { mariadb } from './components/mariadb.ts';
import { kafka } from './components/kafka.ts';
import { mongo } from './components/mongo.ts';
import { kafkaBrokers, mongoUrl, redisUrl } from './addresses.ts';
import { databaseUrl } from './databases.ts';
import { ensureDatabases } from './ensureDatabases.ts';
import { ensureTopics } from './topics.ts';
import { ComponentStartError, ensureComponent, type ComponentStatus } from './ensureComponent.ts';

export const components: Readonly<Record<ComponentName, Component>> = { redis, mariadb, kafka, mongo };
export const componentNames = Object.keys(components) as ComponentName[];

/** What each component needs once it answers (idempotent, cheap on every start). */
const provisioning: Partial<Record<ComponentName, () => Promise<unknown>>> = {
  mariadb: () => ensureDatabases(),
  kafka: () => ensureTopics(kafkaBrokers()),
};

export interface EnsureOptions {
  /** The components to ensure; all by default. */
  only?: readonly ComponentName[];
  /** Called as each component becomes ready (the CLI prints it). */
  onReady?: (status: ComponentStatus) => void;
}

/** Ensures one component answers and is provisioned (schemas and users, topics). */
export async function startComponent(name: ComponentName): Promise<ComponentStatus> {
  const status = await ensureComponent(components[name]);
  try {
    await provisioning[name]?.();
  } catch (error) {
    throw new ComponentStartError(components[name], `answers, but provisioning it failed: ${(error as Error).message}`);
  }
  return status;
}

/** Stops one component if we started it (fault drills stop and restart them). */
export async function stopComponent(name: ComponentName): Promise<void> {
  await components[name].stop();
}

/** Sends a signal to a component we started (SIGSTOP/SIGCONT in fault drills); false when it does not run. */
export function signalComponent(name: ComponentName, signal: NodeJS.Signals): boolean {
  const pid = components[name].pid();
  if (pid === undefined) return false;
  process.kill(pid, signal);
  return true;
}

/**
 * Installs what is missing, starts what is not answering and waits for all, in parallel;
 * then creates the databases, users and topics. Throws one error naming every component
 * that failed, with the tail of its log.
 */
export async function ensureInfrastructure(options: EnsureOptions = {}): Promise<ComponentStatus[]> {
  const names = options.only ?? componentNames;
  const results = await Promise.allSettled(
    names.map(async (name) => {
      const status = await startComponent(name);
      options.onReady?.(status);
      return status;
    }),
  );
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
  if (failures.length > 0) {
    throw new Error(`local infrastructure failed to start:\n\n${failures.map((error) => error.message).join('\n\n')}`);
  }
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

/** Stops every component we started (by pid file), in parallel. */
export async function stopInfrastructure(): Promise<void> {
  await Promise.all(componentNames.map(stopComponent));
}

/** The addresses for child processes (services, tests), named as in architecture.md. */
export function infrastructureEnv(): Record<string, string> {
  return {
    KAFKA_BROKERS: kafkaBrokers().join(','),
    MONGO_URL: mongoUrl(),
    REDIS_URL: redisUrl(),
    ORDER_DATABASE_URL: databaseUrl('order'),
    DISPATCH_DATABASE_URL: databaseUrl('dispatch'),
    DELIVERY_DATABASE_URL: databaseUrl('delivery'),
  };
}
