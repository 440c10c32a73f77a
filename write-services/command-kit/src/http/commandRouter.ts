import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@delivery/contracts';
import { type Logger, Problem, requestIdFrom } from '@delivery/runtime-kit';
import express, { type Request, type Response, Router } from 'express';
import { isDatabaseUnavailable } from '../db/databaseUnavailable.ts';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import { CommandRejected, VersionConflict } from '../domain/commandRejected.ts';
import type { AggregateState, Command, CommandContext } from '../domain/decider.ts';
import {
  type IdempotencyClaim,
  IdempotencyClaimLost,
  type IdempotencyStore,
  type StoredAnswer,
} from '../idempotency/idempotencyStore.ts';
import { requestFingerprint } from '../idempotency/requestFingerprint.ts';
import type { BeforeCommit, CommandExecutor } from '../service/commandExecutor.ts';
import type { WriteServiceDefinition } from '../service/writeServiceDefinition.ts';
import type { CommandCounter, CommandOutcome } from './commandMetrics.ts';
import { canonicalPath, type CommandRoute, expressPath } from './commandRoute.ts';
import { idempotencyKeyOf, JSON_BODY_TYPES, parseAggregateId, parseBody, requireJsonBody } from './requestParsing.ts';

export interface CommandRouterDeps<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  definition: WriteServiceDefinition<S, C, E, Tx>;
  executor: CommandExecutor<S, C, E, Tx>;
  idempotency: IdempotencyStore;
  commands: CommandCounter;
  logger: Logger;
  bodyLimit: string;
  clock: () => Date;
}

interface Answer extends StoredAnswer {
  outcome: CommandOutcome;
}

/**
 * Mounts every row of the command table: JSON only (415), size-limited (413), body and id
 * validated (400), optionally idempotent (Idempotency-Key), then executed. Domain refusals
 * become problem+json answers (404/409) that an Idempotency-Key replays like successes.
 */
export function commandRouter<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  deps: CommandRouterDeps<S, C, E, Tx>,
): Router {
  const { definition } = deps;
  const router = Router();
  const parseJson = express.json({ limit: deps.bodyLimit, type: JSON_BODY_TYPES, strict: true });
  for (const route of definition.commands) {
    router[route.method](
      expressPath(definition.collectionPath, definition.idField, route),
      requireJsonBody,
      parseJson,
      async (req: Request, res: Response) => {
        try {
          const answer = await handle(deps, route, req, res);
          deps.commands.inc({ command: route.name, outcome: answer.outcome });
          res
            .status(answer.status)
            .type(answer.status >= 400 ? 'application/problem+json' : 'application/json')
            .send(answer.body);
        } catch (error) {
          deps.commands.inc({ command: route.name, outcome: outcomeOfThrown(error) });
          throw error;
        }
      },
    );
  }
  return router;
}

async function handle<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  deps: CommandRouterDeps<S, C, E, Tx>,
  route: CommandRoute<C>,
  req: Request,
  res: Response,
): Promise<Answer> {
  const { definition, executor, idempotency } = deps;
  const aggregateId = route.creates ? randomUUID() : parseAggregateId(req.params[definition.idField], definition.idField);
  // Scope and problem instance use the canonical path, so differently-cased paths are one command.
  const path = canonicalPath(definition.collectionPath, route, aggregateId);
  const command = route.toCommand(parseBody(route.body, req.body));
  const key = idempotencyKeyOf(req);
  const context: CommandContext = { aggregateId, now: deps.clock(), requestId: requestIdFrom(res) };
  const successStatus = route.creates ? 201 : 200;
  const acknowledge = (state: AggregateState): Answer => ({
    outcome: 'accepted',
    status: successStatus,
    body: JSON.stringify({ [definition.idField]: aggregateId, status: state.status, version: state.version }),
  });
  const refusal = (error: unknown): Answer | undefined => {
    const problem = refusalProblem(error);
    if (!problem) return undefined;
    return { outcome: outcomeOfThrown(error), status: problem.status, body: JSON.stringify(problem.toBody(path)) };
  };

  if (key === undefined) {
    try {
      return acknowledge(await executor.execute(command, context));
    } catch (error) {
      return refusal(error) ?? rethrow(error);
    }
  }

  const scope = `${req.method} ${path}`;
  const claimed = await idempotency.claim(scope, key, requestFingerprint(req.body));
  switch (claimed.outcome) {
    case 'replay':
      res.setHeader('Idempotent-Replayed', 'true');
      return { ...claimed.answer, outcome: 'replayed' };
    case 'mismatch':
      throw new Problem('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body.');
    case 'in-flight':
      throw new Problem('IDEMPOTENCY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed.', {
        headers: { 'Retry-After': '1' },
      });
    case 'execute':
      return executeClaimed(deps, claimed.claim, command, context, acknowledge, refusal);
  }
}

async function executeClaimed<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  deps: CommandRouterDeps<S, C, E, Tx>,
  claim: IdempotencyClaim,
  command: C,
  context: CommandContext,
  acknowledge: (state: AggregateState) => Answer,
  refusal: (error: unknown) => Answer | undefined,
): Promise<Answer> {
  const { executor, idempotency } = deps;
  const recordAnswer: BeforeCommit<Tx> = (tx, next) => idempotency.complete(claim, acknowledge(next), tx);
  try {
    return acknowledge(await executor.execute(command, context, recordAnswer));
  } catch (error) {
    const answer = error instanceof CommandRejected ? refusal(error) : undefined;
    if (answer) {
      // A definite answer: replayed like a success.
      await idempotency.complete(claim, answer);
      return answer;
    }
    // Not executed (conflict, outage, bug): forget the claim so that a retry runs the command.
    if (!(error instanceof IdempotencyClaimLost)) {
      await idempotency.release(claim).catch((releaseError: unknown) =>
        deps.logger.warn({ err: releaseError }, 'could not release an Idempotency-Key claim'),
      );
    }
    return refusal(error) ?? rethrow(error);
  }
}

function refusalProblem(error: unknown): Problem | undefined {
  if (error instanceof CommandRejected) {
    return new Problem(error.reason, error.message, error.rule === undefined ? {} : { extensions: { rule: error.rule } });
  }
  if (error instanceof VersionConflict) {
    return new Problem('VERSION_CONFLICT', 'The aggregate was changed by another request; read it again and retry.');
  }
  if (error instanceof IdempotencyClaimLost) {
    return new Problem('IDEMPOTENCY_IN_FLIGHT', 'Another request took over this Idempotency-Key.');
  }
  return undefined;
}

const COMMAND_REJECTED_OUTCOME: Record<CommandRejected['reason'], CommandOutcome> = {
  NOT_FOUND: 'not_found',
  INVALID_TRANSITION: 'invalid_transition',
  RULE_VIOLATED: 'rule_violated',
  UNKNOWN_REFERENCE: 'unknown_reference',
};

function outcomeOfThrown(error: unknown): CommandOutcome {
  if (isDatabaseUnavailable(error)) return 'unavailable';
  if (error instanceof CommandRejected) return COMMAND_REJECTED_OUTCOME[error.reason];
  if (error instanceof VersionConflict) return 'version_conflict';
  if (error instanceof IdempotencyClaimLost) return 'idempotency_in_flight';
  if (error instanceof Problem) {
    if (error.code === 'IDEMPOTENCY_KEY_REUSED') return 'idempotency_mismatch';
    if (error.code === 'IDEMPOTENCY_IN_FLIGHT') return 'idempotency_in_flight';
    if (error.code === 'DEPENDENCY_UNAVAILABLE') return 'dependency_unavailable';
    if (error.status < 500) return 'invalid';
  }
  return 'error';
}

function rethrow(error: unknown): never {
  throw error;
}
