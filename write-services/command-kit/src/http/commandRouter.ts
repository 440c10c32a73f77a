import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@delivery/contracts';
import { requestIdFrom, tracing, type Tracing } from '@delivery/runtime-kit';
import express, { type Request, type Response, Router } from 'express';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command } from '../domain/decider.ts';
import { commandErrorMeaning } from '../service/commandErrors.ts';
import type { CommandHandler, CommandRequest } from '../service/commandHandler.ts';
import type { CommandRoute } from '../service/commandRoute.ts';
import type { CommandCounter } from './commandMetrics.ts';
import { canonicalPath, expressPath } from './commandPath.ts';
import { startCommandSpan } from './commandSpan.ts';
import { idempotencyKeyOf, JSON_BODY_TYPES, parseAggregateId, parseBody, requireJsonBody } from './requestParsing.ts';

export interface CommandRouterDeps<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  /** The service's command table and where it hangs. */
  surface: { collectionPath: string; idField: string; commands: readonly CommandRoute<C>[] };
  handler: CommandHandler<S, C, E, Tx>;
  commands: CommandCounter;
  bodyLimit: string;
  clock: () => Date;
  /** A span per command (default: the process's tracing, `startTracing` in the composition root). */
  tracing?: Tracing;
}

/**
 * Mounts every row of the command table and does HTTP only: JSON only (415), size-limited
 * (413), body and id validated (400) into a command request; the command handler
 * (service/commandHandler.ts) runs it and says what to answer; errors it throws go on to the
 * error handler, counted by their meaning (service/commandErrors.ts).
 */
export function commandRouter<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  deps: CommandRouterDeps<S, C, E, Tx>,
): Router {
  const { surface } = deps;
  const router = Router();
  const parseJson = express.json({ limit: deps.bodyLimit, type: JSON_BODY_TYPES, strict: true });
  const traces = deps.tracing ?? tracing();
  const tracer = traces.enabled ? traces.tracer : undefined;
  for (const route of surface.commands) {
    const path = expressPath(surface.collectionPath, surface.idField, route);
    const command = { name: route.name, path };
    router[route.method](path, requireJsonBody, parseJson, async (req: Request, res: Response) => {
      const traceParent = startCommandSpan(tracer, command, req, res);
      try {
        const answer = await deps.handler.handle(commandRequest(deps, route, req, res, traceParent));
        deps.commands.inc({ command: route.name, outcome: answer.outcome });
        if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res
          .status(answer.status)
          .type(answer.status >= 400 ? 'application/problem+json' : 'application/json')
          .send(answer.body);
      } catch (error) {
        deps.commands.inc({ command: route.name, outcome: commandErrorMeaning(error).outcome });
        throw error;
      }
    });
  }
  return router;
}

function commandRequest<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  deps: CommandRouterDeps<S, C, E, Tx>,
  route: CommandRoute<C>,
  req: Request,
  res: Response,
  traceParent: string | undefined,
): CommandRequest<C> {
  const { surface } = deps;
  const aggregateId = route.creates ? randomUUID() : parseAggregateId(req.params[surface.idField], surface.idField);
  const body: unknown = req.body;
  return {
    command: route.toCommand(parseBody(route.body, body)),
    context: { aggregateId, now: deps.clock(), requestId: requestIdFrom(res), traceParent },
    // Scope and problem instance use the canonical path, so differently-cased paths are one command.
    path: canonicalPath(surface.collectionPath, route, aggregateId),
    method: req.method,
    idField: surface.idField,
    creates: route.creates,
    idempotencyKey: idempotencyKeyOf(req),
    body,
  };
}
