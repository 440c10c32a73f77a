import { join } from 'node:path';
import { ensureInfrastructure, infrastructureEnv, startPlatform, statePath, type Platform } from '@delivery/infra';
import { freePorts } from '@delivery/test-support';

/**
 * The whole platform as child processes on free ports, against the real infrastructure.
 * The read model uses a consumer group and database of the e2e suite's own, kept across
 * runs, so it never replays another suite's history from scratch.
 */
/** The read model's MongoDB database of a suite's platform (kept across runs). */
export const viewDatabaseOf = (suite: string) => `read_model_e2e_${suite.replaceAll('-', '_')}`;

/** `env` adds to (or overrides) the services' environment, e.g. a setting one suite needs. */
export async function startWholeSystem(suite: string, env: NodeJS.ProcessEnv = {}): Promise<Platform> {
  await ensureInfrastructure();
  return startPlatform({
    ports: await freePorts(),
    env: {
      ...infrastructureEnv(),
      KAFKA_GROUP_ID: `read-model-e2e-${suite}`,
      MONGO_DATABASE: viewDatabaseOf(suite),
      REDIS_KEY_PREFIX: `e2e:${suite}:`,
      LOG_LEVEL: 'info',
      ...env,
    },
    logDir: join(statePath('logs'), `e2e-${suite}`),
  });
}
