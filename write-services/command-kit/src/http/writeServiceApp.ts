import type { DomainEvent } from '@delivery/contracts';
import {
  healthRouter,
  httpMetrics,
  type Logger,
  metricsEndpoint,
  problemErrorHandler,
  type Registry,
  requestId,
  requireUtf8Json,
  routeNotFound,
} from '@delivery/runtime-kit';
import express, { type Express, type Router } from 'express';
import type { DatabaseClient, SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command } from '../domain/decider.ts';
import type { CommandExecutor } from '../service/commandExecutor.ts';
import type { CommandHandler } from '../service/commandHandler.ts';
import type { WriteServiceDefinition } from '../service/writeServiceDefinition.ts';
import { accessLog } from './accessLog.ts';
import type { CommandCounter } from './commandMetrics.ts';
import { commandRouter } from './commandRouter.ts';
import { expressPath } from './commandPath.ts';
import { methodNotAllowed } from './methodNotAllowed.ts';
import { openApiDocument } from './openApiDocument.ts';
import { queryRouter } from './queryRouter.ts';
import { unavailableDatabase } from './unavailableDatabase.ts';

export interface WriteServiceAppDeps<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  definition: WriteServiceDefinition<S, C, E, Tx>;
  db: DatabaseClient<Tx> & Tx;
  executor: CommandExecutor<S, C, E, Tx>;
  handler: CommandHandler<S, C, E, Tx>;
  commands: CommandCounter;
  registry: Registry;
  logger: Logger;
  bodyLimit: string;
  clock: () => Date;
}

export interface WriteServiceApp {
  app: Express;
  /** Readiness 503, then stops the server without dropping requests it already has. */
  /** Readiness answers 503 from now on, so load balancers stop sending. */
  markDraining: () => void;
}

/** The HTTP surface of a write service: commands, query, OpenAPI, health, metrics, problem+json errors. */
export function writeServiceApp<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  deps: WriteServiceAppDeps<S, C, E, Tx>,
): WriteServiceApp {
  const { definition, db, logger, registry } = deps;
  const health = healthRouter({
    database: async () => {
      await db.$queryRawUnsafe('SELECT 1');
      return true;
    },
  });
  const openApi = JSON.stringify(openApiDocument(definition));
  const methods = new Map<string, string[]>([
    [`${definition.collectionPath}/:${definition.idField}`, ['GET']],
    [definition.collectionPath, ['GET']],
  ]);
  for (const route of definition.commands) {
    const path = expressPath(definition.collectionPath, definition.idField, route);
    methods.set(path, [...(methods.get(path) ?? []), route.method]);
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestId, httpMetrics(registry), accessLog(logger));
  app.use(health);
  app.get('/metrics', metricsEndpoint(registry));
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openApi);
  });
  app.use(commandRouter({ ...deps, surface: definition }), queryRouter(definition, db), methodNotAllowed(methods));
  if (definition.internalRoutes) {
    app.use('/internal/v1', requireUtf8Json, express.json({ limit: deps.bodyLimit, strict: true }), definition.internalRoutes({ db, executor: deps.executor, clock: deps.clock }));
  }
  app.use(routeNotFound);
  app.use(unavailableDatabase(logger), problemErrorHandler(logger));
  return {
    app,
    markDraining: () => {
      (health as Router & { drain?: () => void }).drain?.();
    },
  };
}
