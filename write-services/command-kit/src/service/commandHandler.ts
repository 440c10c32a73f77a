import type { DomainEvent } from '@delivery/contracts';
import { type Logger, Problem } from '@delivery/runtime-kit';
import type { SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command, CommandContext } from '../domain/decider.ts';
import type { IdempotencyClaim, IdempotencyStore, StoredAnswer } from '../idempotency/idempotencyStore.ts';
import { requestFingerprint } from '../idempotency/requestFingerprint.ts';
import type { BeforeCommit, CommandExecutor } from './commandExecutor.ts';
import { commandErrorMeaning, type CommandErrorMeaning, type CommandOutcome } from './commandErrors.ts';

/** One command as the HTTP layer parsed it. */
export interface CommandRequest<C extends Command> {
  command: C;
  context: CommandContext;
  /** The command's canonical path (the problem instance, and with `method` the key's scope). */
  path: string;
  method: string;
  /** Answer field naming the aggregate, e.g. `orderId`. */
  idField: string;
  creates: boolean;
  idempotencyKey: string | undefined;
  /** The parsed body, fingerprinted under an Idempotency-Key. */
  body: unknown;
}

/** What to send back: status and JSON body (stored under an Idempotency-Key and replayed as is). */
export interface CommandAnswer extends StoredAnswer {
  outcome: CommandOutcome;
  replayed: boolean;
}

export interface CommandHandlerDeps<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  executor: CommandExecutor<S, C, E, Tx>;
  idempotency: IdempotencyStore;
  logger: Logger;
}

/**
 * Runs a parsed command, with the Idempotency-Key protocol when it carries a key: claim
 * (replay, mismatch, in flight, or execute), then complete in the command's own transaction
 * (or with the refusal), or release so that a retry runs it
 * (docs/decisions/idempotency-claim-then-complete.md). Errors that are no answer of the
 * command's own are thrown on, after the claim is dealt with (commandErrors.ts).
 */
export class CommandHandler<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor> {
  readonly #deps: CommandHandlerDeps<S, C, E, Tx>;

  constructor(deps: CommandHandlerDeps<S, C, E, Tx>) {
    this.#deps = deps;
  }

  async handle(request: CommandRequest<C>): Promise<CommandAnswer> {
    const key = request.idempotencyKey;
    if (key === undefined) {
      try {
        return acknowledge(request, await this.#deps.executor.execute(request.command, request.context, undefined, request.creates));
      } catch (error) {
        return refusal(request, commandErrorMeaning(error)) ?? rethrow(error);
      }
    }
    const claimed = await this.#deps.idempotency.claim(`${request.method} ${request.path}`, key, requestFingerprint(request.body));
    switch (claimed.outcome) {
      case 'replay':
        return { ...claimed.answer, outcome: 'replayed', replayed: true };
      case 'mismatch':
        throw new Problem('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body.');
      case 'in-flight':
        throw new Problem('IDEMPOTENCY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed.', {
          headers: { 'Retry-After': '1' },
        });
      case 'execute':
        return this.#executeClaimed(request, claimed.claim);
    }
  }

  async #executeClaimed(request: CommandRequest<C>, claim: IdempotencyClaim): Promise<CommandAnswer> {
    const { executor, idempotency, logger } = this.#deps;
    const recordAnswer: BeforeCommit<Tx> = (tx, next) => idempotency.complete(claim, acknowledge(request, next), tx);
    try {
      return acknowledge(request, await executor.execute(request.command, request.context, recordAnswer, request.creates));
    } catch (error) {
      const meaning = commandErrorMeaning(error);
      const answer = refusal(request, meaning);
      if (meaning.claim === 'keep-answer' && answer !== undefined) {
        await idempotency.complete(claim, answer); // a definite answer: replayed like a success
        return answer;
      }
      if (meaning.claim === 'release') {
        await idempotency.release(claim).catch((releaseError: unknown) => logger.warn({ err: releaseError }, 'could not release an Idempotency-Key claim'));
      }
      return answer ?? rethrow(error);
    }
  }
}

function acknowledge(request: CommandRequest<Command>, state: AggregateState): CommandAnswer {
  return {
    outcome: 'accepted',
    replayed: false,
    status: request.creates ? 201 : 200,
    body: JSON.stringify({ [request.idField]: request.context.aggregateId, status: state.status, version: state.version }),
  };
}

/** The command's own refusal, if the error is one (commandErrors.ts). */
function refusal(request: CommandRequest<Command>, meaning: CommandErrorMeaning): CommandAnswer | undefined {
  const { refusal: problem, outcome } = meaning;
  if (problem === undefined) return undefined;
  return { outcome, replayed: false, status: problem.status, body: JSON.stringify(problem.toBody(request.path)) };
}

function rethrow(error: unknown): never {
  throw error;
}
